// The lessons panel: pick one of the server's lessons, read its current task, see each of the
// task's goals ticked once a `metrics` message reaches it, go from task to task, and have a task's
// suggested settings and weights applied in one click ("Show me"); a goal marked `stop` pauses the
// run. A crash-course link's staged goals (`goal…Threshold…=`) show here the same way, without a
// lesson. Progress (the task, the goals reached) is kept in the browser per lesson and survives a
// reload. Opening and closing a lesson is the session's (session.js); this view only asks.

import { courseGoals, goalLabel, readProgress, reached, taskGoals, taskSuggestion, tutorialTitle, writeProgress } from "../lessons.js";

const SVG = "http://www.w3.org/2000/svg";

/** The tick (reached) or the empty ring (not yet) before a goal. */
function mark(done) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "goal-mark");
  const circle = document.createElementNS(SVG, "circle");
  Object.entries({ cx: 10, cy: 10, r: 8.5 }).forEach(([k, v]) => circle.setAttribute(k, v));
  svg.append(circle);
  if (done) {
    const tick = document.createElementNS(SVG, "path");
    tick.setAttribute("d", "M5.8 10.4l2.8 2.8 5.6-6");
    svg.append(tick);
  }
  return svg;
}

export function mountLessons(root, store, session) {
  const panel = root.querySelector("[data-lessons]");
  const picker = panel.querySelector("[data-lesson-picker]");
  const choice = panel.querySelector("[data-lesson-choice]");
  const start = panel.querySelector("[data-action=open-lesson]");
  const box = panel.querySelector("[data-lesson]");
  const title = panel.querySelector("[data-lesson-title]");
  const summary = panel.querySelector("[data-lesson-summary]");
  const nav = panel.querySelector("[data-task-nav]");
  const position = panel.querySelector("[data-task-position]");
  const previous = panel.querySelector("[data-action=previous-task]");
  const next = panel.querySelector("[data-action=next-task]");
  const text = panel.querySelector("[data-task-text]");
  const goalsList = panel.querySelector("[data-lesson-goals]");
  const goalsHeading = panel.querySelector("[data-goals-heading]");
  const showMe = panel.querySelector("[data-action=show-me]");
  const startOver = panel.querySelector("[data-action=restart-lesson]");
  const close = panel.querySelector("[data-action=close-lesson]");
  const news = panel.querySelector("[data-lesson-news]");
  const kicker = panel.querySelector(".lesson-kicker");

  // What the panel shows: a lesson, or a crash-course link's goals (no tasks), or neither.
  let current = null; // {key, lesson?, goals (flat list), progress}

  function open(state) {
    const { lesson, course } = state;
    if (lesson) {
      const key = lesson.id;
      if (current?.key !== key) current = { key, lesson, goals: lesson.goals, progress: readProgress(key) };
      current.progress.task = Math.min(current.progress.task, lesson.tasks.length - 1);
    } else {
      const staged = courseGoals(course ?? []);
      const key = staged && `course:${staged.tutorial ?? ""}:${staged.goals.map(goalLabel).join("|")}`;
      if (!staged) current = null;
      else if (current?.key !== key) current = { key, course: staged, goals: staged.goals, progress: readProgress(key) };
    }
    render();
  }

  /** The goals being watched now: the current task's, or every staged goal of a course link. */
  function watched() {
    if (!current) return [];
    if (current.lesson) return taskGoals(current.lesson, current.progress.task);
    return current.goals.map((goal, index) => ({ ...goal, index }));
  }

  function renderPicker(state) {
    const lessons = state.lessons ?? [];
    if (choice.options.length !== lessons.length + 1) {
      const prompt = new Option("Choose a lesson…", "");
      choice.replaceChildren(prompt, ...lessons.map((l) => new Option(l.title, l.id)));
    }
    start.disabled = !choice.value || state.connection !== "open";
  }

  function renderGoals(goals) {
    goalsHeading.hidden = goals.length === 0;
    goalsList.replaceChildren(...goals.map((goal) => {
      const done = current.progress.reached.has(goal.index);
      const item = document.createElement("li");
      item.className = "goal";
      item.dataset.goal = String(goal.index);
      item.dataset.reached = String(done);
      const words = document.createElement("span");
      const stage = current.course ? `Goal ${goal.stage}: ` : "";
      words.textContent = `${stage}${goalLabel(goal)}`;
      const status = document.createElement("span");
      status.className = "visually-hidden";
      status.textContent = done ? " (reached)" : " (not reached yet)";
      item.append(mark(done), words, status);
      if (goal.stop) {
        const note = document.createElement("span");
        note.className = "goal-note";
        note.textContent = "pauses the run";
        item.append(note);
      }
      return item;
    }));
  }

  function render() {
    const state = store.state;
    // A classroom link that hides controls offers no way out into another lesson.
    panel.hidden = !current && (state.hidden.size > 0 || !state.lessons?.length);
    picker.hidden = Boolean(current);
    box.hidden = !current;
    renderPicker(state);
    if (!current) return;
    const { lesson, progress } = current;
    if (lesson) {
      const task = lesson.tasks[progress.task];
      title.textContent = lesson.title;
      summary.textContent = lesson.summary ?? "";
      summary.hidden = !lesson.summary;
      position.textContent = `Task ${progress.task + 1} of ${lesson.tasks.length}`;
      previous.disabled = progress.task === 0;
      next.disabled = progress.task >= lesson.tasks.length - 1;
      // A lesson file wraps its text at will: single line breaks are spaces, blank lines paragraphs.
      text.replaceChildren(...task.text.trim().split(/\n\s*\n/).map((words) => {
        const paragraph = document.createElement("p");
        paragraph.textContent = words.replace(/\s*\n\s*/g, " ");
        return paragraph;
      }));
      const suggestion = taskSuggestion(lesson, progress.task);
      showMe.hidden = !Object.keys(suggestion.config).length && !suggestion.edits.length;
      showMe.disabled = state.connection !== "open";
    } else {
      title.textContent = tutorialTitle(current.course.tutorial);
      summary.textContent = "The staged goals of this exercise of the machine-learning crash course.";
      summary.hidden = false;
      text.replaceChildren();
      showMe.hidden = true;
    }
    box.classList.toggle("is-course", !lesson);
    kicker.textContent = lesson ? "Lesson" : "Crash course exercise";
    panel.querySelector(".lesson-task").hidden = !lesson;
    close.hidden = !lesson;
    startOver.hidden = current.progress.reached.size === 0 && current.progress.task === 0;
    box.dataset.lessonId = lesson ? lesson.id : "";
    box.dataset.task = String(progress.task + 1);
    const goals = watched();
    renderGoals(goals);
    // A task with nothing to reach or apply gives its words the whole width.
    panel.querySelector(".lesson-goals").hidden = goals.length === 0 && showMe.hidden;
  }

  function save() {
    writeProgress(current.key, current.progress);
  }

  function goTo(task) {
    current.progress.task = task;
    save();
    render();
    // The network may already be there (a lesson without training has no next metrics to wait for).
    check(store.state.metrics);
    text.focus({ preventScroll: true }); // the new task's words are what to read next
  }

  /** Each `metrics` message: tick what it reaches; a goal that stops the run pauses it. */
  function check(metrics) {
    if (!current || !metrics) return;
    const now = watched().filter((goal) => !current.progress.reached.has(goal.index) && reached(goal, metrics));
    if (!now.length) return;
    for (const goal of now) current.progress.reached.add(goal.index);
    save();
    render();
    news.textContent = `Goal reached: ${now.map(goalLabel).join("; ")}.`;
    if (now.some((goal) => goal.stop) && store.state.playing) session.pause();
  }

  choice.addEventListener("change", () => renderPicker(store.state));
  panel.addEventListener("submit", (event) => event.preventDefault());
  start.addEventListener("click", () => {
    if (choice.value) session.openLesson(choice.value);
  });
  previous.addEventListener("click", () => current && goTo(Math.max(0, current.progress.task - 1)));
  next.addEventListener("click", () => current?.lesson && goTo(Math.min(current.lesson.tasks.length - 1, current.progress.task + 1)));
  showMe.addEventListener("click", () => {
    if (!current?.lesson) return;
    session.apply(taskSuggestion(current.lesson, current.progress.task));
  });
  startOver.addEventListener("click", () => {
    current.progress = { task: 0, reached: new Set() };
    goTo(0);
  });
  close.addEventListener("click", () => {
    session.closeLesson();
    choice.focus({ preventScroll: true });
  });

  store.on(["lesson", "course"], (_, state) => open(state));
  store.on(["lessons", "connection", "hidden"], render);
  store.on("metrics", check);
}
