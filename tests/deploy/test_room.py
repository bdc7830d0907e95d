"""A full room: past the session cap, the next student is told plainly that the server is full (and
the page waits and retries); as soon as someone leaves, the next one gets in."""

from __future__ import annotations

import os

from classroom import Student, get_json, wait_until

# Behind a load balancer, every instance has its own cap (the scale-out check sets this).
INSTANCES = int(os.environ.get("PLAYGROUND_INSTANCES", "1"))


def admitted(student: Student) -> bool:
    """After `hello`, an admitted session gets its `state`; a refused one gets `error` and a close."""
    return student.next_json()["type"] == "state"


def test_the_room_fills_up_says_so_and_frees_a_seat_when_someone_leaves(server_url, ws_url):
    wait_until(lambda: get_json(server_url + "/healthz")["seats_taken"] == 0, 10, "an empty room")
    room = get_json(server_url + "/healthz")["max_sessions"] * INSTANCES
    seated: list[Student] = []
    try:
        for _ in range(room):
            student = Student(ws_url)
            seated.append(student)
            assert admitted(student), f"refused with only {len(seated) - 1} of {room} seats taken"

        late = Student(ws_url)
        refusal = late.messages_until_closed()
        assert refusal[0]["type"] == "error" and refusal[0]["code"] == "full"
        assert "full" in refusal[0]["errors"][0] and "try again" in refusal[0]["errors"][0]
        assert late.close_code == 1013  # "try again later"

        seated.pop(0).close()

        def next_student_gets_in() -> bool:
            student = Student(ws_url)
            seated.append(student)
            return admitted(student)

        wait_until(next_student_gets_in, 5, "a student getting the freed seat")
    finally:
        for student in seated:
            student.close()
