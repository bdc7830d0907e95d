"""The lessons panel: a `#lesson=<id>` link opens the lesson with its settings (as the server
confirms them), its hidden controls and its tasks; a goal ticks when the metrics reach it; a goal
marked `stop` pauses the run; progress survives a reload; a crash-course link's `goal…Threshold…`
keys show its staged goals; and a lesson picked from the panel can be left again."""

from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import expect

from playground_page import open_page, settings, shot, wait_setting
from servers import LiveServer

PANEL = "[data-lessons]"
LESSON = "[data-lesson]"


def goal(page, index: int):
    return page.locator(f"[data-lesson-goals] [data-goal='{index}']")


def test_a_lesson_link_opens_with_its_settings_hidden_controls_and_tasks(playground, output_path):
    page = playground("lesson=learning-rate")
    expect(page.locator(f"{LESSON}[data-lesson-id=learning-rate]")).to_be_visible()
    # The server's state, as the hash is written from it: the lesson's settings, at epoch 0.
    wait_setting(page, "lesson", "learning-rate")
    got = settings(page)
    for key, value in {"dataset": "gauss", "noise": "80", "batch_size": "3", "learning_rate": "3",
                       "activation": "linear", "network_shape": "", "seed": "0.245"}.items():
        assert got[key] == value, (key, got[key])
    assert page.get_attribute("[data-app]", "data-epoch") == "0"
    # Step only: Play (and Speed, which follows it) is hidden; Step is there.
    expect(page.locator("[data-action=play]")).to_be_hidden()
    expect(page.locator("[data-control=speed]")).to_be_hidden()
    expect(page.locator("[data-action=step]")).to_be_visible()
    expect(page.locator("[data-lesson-title]")).to_have_text("The learning rate")
    expect(page.locator("[data-task-position]")).to_have_text("Task 1 of 2")
    expect(page.locator("[data-task-text]")).to_contain_text("press Step")
    expect(page.locator("[data-action=previous-task]")).to_be_disabled()
    page.click("[data-action=next-task]")
    expect(page.locator("[data-task-position]")).to_have_text("Task 2 of 2")
    expect(goal(page, 0)).to_have_text("training loss ≤ 0.25 (not reached yet)")
    shot(page, output_path, "lesson-learning-rate", full_page=False)


def test_a_goal_ticks_when_reached_and_progress_survives_a_reload(playground, output_path):
    page = playground("lesson=feature-cross-by-hand")
    expect(page.locator("[data-action=play]")).to_be_hidden()
    expect(page.locator("[data-action=step]")).to_be_hidden()
    expect(goal(page, 0)).to_have_attribute("data-reached", "false")
    # "Show me" sets the task's weight on x1x2 by hand; the loss falls at once, with no training.
    page.click("[data-action=show-me]")
    wait_setting(page, "edits", "w0.2.0:1")
    expect(goal(page, 0)).to_have_attribute("data-reached", "true")
    expect(page.locator("[data-lesson-news]")).to_have_text("Goal reached: test loss ≤ 0.1.")
    # Task 2 asks for test loss ≤ 0.02, which this weight already gives (0.007): the goal ticks as
    # the task is shown, with no new metrics to wait for (there is no training in this lesson).
    page.click("[data-action=next-task]")
    expect(goal(page, 1)).to_have_attribute("data-reached", "true")
    shot(page, output_path, "lesson-feature-cross", full_page=False)

    page.reload()
    page.wait_for_selector("[data-app][data-connection=open]")
    wait_setting(page, "lesson", "feature-cross-by-hand")
    wait_setting(page, "edits", "w0.2.0:1")  # the reload opened the tab's own settings and weights
    expect(page.locator(LESSON)).to_have_attribute("data-task", "2")
    page.click("[data-action=previous-task]")
    expect(goal(page, 0)).to_have_attribute("data-reached", "true")
    page.click("[data-action=next-task]")
    expect(goal(page, 1)).to_have_attribute("data-reached", "true")
    page.click("[data-action=show-me]")
    wait_setting(page, "edits", "w0.2.0:3")
    # Start over forgets the ticks, and the network (still meeting task 1's goal) earns it again.
    page.click("[data-action=restart-lesson]")
    expect(page.locator(LESSON)).to_have_attribute("data-task", "1")
    expect(goal(page, 0)).to_have_attribute("data-reached", "true")


def test_a_lesson_picked_from_the_panel_trains_to_its_goal_and_can_be_left(playground):
    page = playground()
    expect(page.locator("[data-lesson-picker]")).to_be_visible()
    expect(page.locator("[data-action=open-lesson]")).to_be_disabled()
    page.select_option("[data-lesson-choice]", "why-nonlinear")
    page.click("[data-action=open-lesson]")
    wait_setting(page, "lesson", "why-nonlinear")
    wait_setting(page, "seed", "0.30303")
    assert settings(page)["network_shape"] == "" and settings(page)["features"] == "x,y"
    page.click("[data-action=next-task]")
    page.click("[data-action=show-me]")
    wait_setting(page, "features", "x,y,xSquared,ySquared")
    page.select_option("[data-speed]", "10")
    page.click("[data-action=play]")
    expect(goal(page, 0)).to_have_attribute("data-reached", "true", timeout=20_000)
    page.click("[data-action=play]")
    # Leaving keeps the session as it is and gives every control back.
    page.click("[data-action=close-lesson]")
    page.wait_for_function("() => !new URLSearchParams(location.hash.slice(1)).has('lesson')")
    expect(page.locator(LESSON)).to_be_hidden()
    expect(page.locator("[data-lesson-picker]")).to_be_visible()
    assert settings(page)["features"] == "x,y,xSquared,ySquared"
    expect(page.locator("[data-action=play]")).to_be_visible()
    # The next reload is free play.
    page.reload()
    page.wait_for_selector("[data-app][data-connection=open]")
    wait_setting(page, "features", "x,y,xSquared,ySquared")
    expect(page.locator(LESSON)).to_be_hidden()


def test_a_lesson_of_a_classroom_link_that_hides_controls_offers_no_picker(playground):
    page = playground("seed=0.1&dataset_hide=true")
    expect(page.locator(PANEL)).to_be_hidden()
    page = playground("lesson=spiral&dataset_hide=true")
    expect(page.locator("[data-control=dataset]")).to_be_hidden()
    page.click("[data-action=close-lesson]")
    expect(page.locator(PANEL)).to_be_hidden()  # the link's own hiding stays, and no way into another lesson
    expect(page.locator("[data-control=dataset]")).to_be_hidden()
    assert settings(page).get("dataset_hide") == "true"


CRASH_COURSE = (
    "activation=linear&batchSize=10&dataset=xor&regDataset=reg-plane&learningRate=0.03&regularizationRate=0"
    "&noise=35&networkShape=&seed=0.50819&showTestData=false&discretize=false&percTrainData=50&x=true&y=true"
    "&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=true"
    "&problem=classification&initZero=false&hideText=true&problem_hide=true&tutorial=dp-neural-net-intro-first"
    "&goalTestLossMinThresholdFirst=0.6&goalTestLossMinThresholdSecond=0.05"
    "&goalTrainTestDiffMinThresholdFirst=-1&goalTrainTestDiffMaxThresholdFirst=1"
)


def test_a_crash_course_link_shows_its_staged_goals(playground, output_path):
    page = playground(CRASH_COURSE)
    expect(page.locator(f"{LESSON}.is-course")).to_be_visible()
    expect(page.locator("[data-lesson-title]")).to_have_text("A first neural network")
    expect(page.locator("[data-lesson-goals] li")).to_have_text([
        "Goal 1: test loss ≤ 0.6 (not reached yet)",
        "Goal 1: -1 ≤ test loss − training loss ≤ 1 (not reached yet)",
        "Goal 2: test loss ≤ 0.05 (not reached yet)",
    ])
    # The page rewrites the hash with its own keys, and keeps the course's.
    wait_setting(page, "network_shape", "")
    for key in ("tutorial", "goalTestLossMinThresholdFirst", "goalTrainTestDiffMaxThresholdFirst"):
        assert key in settings(page), key
    # Goals count from the first epoch on: one step reaches the loose ones, not the strict one.
    page.click("[data-action=step]")
    expect(goal(page, 0)).to_have_attribute("data-reached", "true")
    expect(goal(page, 1)).to_have_attribute("data-reached", "true")
    expect(goal(page, 2)).to_have_attribute("data-reached", "false")
    shot(page, output_path, "lesson-crash-course", full_page=False)
    page.reload()
    page.wait_for_selector("[data-app][data-connection=open]")
    expect(goal(page, 0)).to_have_attribute("data-reached", "true")


STOPS = textwrap.dedent("""\
    id = "stops-early"
    title = "Stops by itself"
    order = 1
    [settings]
    dataset = "gauss"
    network_shape = []
    seed = "0.5"
    [[tasks]]
    text = "Press Play: the run pauses by itself once the goal is reached."
    goals = [{ metric = "test_loss", max = 5.0, after = 40, stop = true }]
""")


@pytest.fixture
def teachers_server(tmp_path):
    (tmp_path / "stops-early.toml").write_text(STOPS, encoding="utf-8")
    with LiveServer({"LESSONS": str(tmp_path)}) as server:
        yield server


def test_a_teachers_lesson_is_listed_and_its_stop_goal_pauses_the_run(page, teachers_server):
    open_page(page, teachers_server.url)
    expect(page.locator("[data-lesson-choice] option").nth(1)).to_have_text("Stops by itself")
    page.select_option("[data-lesson-choice]", "stops-early")
    page.click("[data-action=open-lesson]")
    wait_setting(page, "lesson", "stops-early")
    expect(goal(page, 0)).to_contain_text("pauses the run")
    page.click("[data-action=play]")
    expect(goal(page, 0)).to_have_attribute("data-reached", "true", timeout=15_000)
    page.wait_for_selector("[data-app][data-playing=false]")
    stopped = int(page.get_attribute("[data-app]", "data-epoch"))
    page.wait_for_timeout(500)
    assert int(page.get_attribute("[data-app]", "data-epoch")) == stopped  # it stays paused
    assert 40 <= stopped < 60, stopped


def test_crash_course_keys_read_as_staged_goals(modules):
    """The crash course's L1 exercise link: its four goal keys make three goals in stage order (a
    Min and a Max of the gap in one stage are one band); unreadable values are skipped; and the
    keys come back out of the hash as they went in."""
    result = modules.evaluate(
        """async () => {
            const { parseHash, formatHash } = await import('/static/js/hash.js');
            const { courseGoals, goalLabel, reached } = await import('/static/js/lessons.js');
            const options = await (await fetch('/api/options')).json();
            const link = parseHash('#seed=1&tutorial=dp-regularization-for-sparsity'
                + '&goalTrainTestDiffMaxThresholdFirst=0.135&goalTestLossMinThresholdFirst=0.205'
                + '&goalTrainTestDiffMinThresholdFirst=0.1&goalTrainTestDiffMinThresholdSecond=0.05'
                + '&goalTestLossMinThresholdThird=oops', options);
            const staged = courseGoals(link.course);
            const hash = formatHash({config: {seed: '1'}, display: {}, speed: 1, hidden: new Set(),
                                     hideText: false, course: link.course});
            const at = (epoch, test, train) => ({epoch, test_loss: test, train_loss: train, diverged: false});
            return {
                tutorial: staged.tutorial, labels: staged.goals.map((g) => `${g.stage} ${goalLabel(g)}`),
                again: courseGoals(parseHash('#' + hash, options).course).goals.length,
                band: [reached(staged.goals[1], at(5, 0.32, 0.2)), reached(staged.goals[1], at(5, 0.4, 0.2)),
                       reached(staged.goals[1], at(0, 0.32, 0.2))],
                none: courseGoals(parseHash('#seed=1&tutorial=x', options).course),
            };
        }""")
    assert result["tutorial"] == "dp-regularization-for-sparsity"
    assert result["labels"] == ["1 test loss ≤ 0.205", "1 0.1 ≤ test loss − training loss ≤ 0.135",
                                "2 test loss − training loss ≥ 0.05"]
    assert result["again"] == 3
    assert result["band"] == [True, False, False]  # inside the band; above it; before any training
    assert result["none"] is None
