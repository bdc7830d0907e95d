// Lessons on the page: the list from `GET /api/lessons` (docs/lessons.md), when a goal is reached
// by a `metrics` message, the staged goals of a link from Google's crash course (its `tutorial=`
// and `goal…Threshold…=` hash keys), the suggestions a task makes, and the progress on a lesson
// kept in the browser. No DOM here: views/lessons.js draws it, session.js opens lessons.

/** What a goal watches: the `metrics` message's values, and gap = test loss − training loss. */
export const METRIC_WORDS = {
  train_loss: "training loss", test_loss: "test loss", gap: "test loss − training loss",
  train_accuracy: "training accuracy", test_accuracy: "test accuracy",
};

const STORAGE_PREFIX = "playground-lesson:";

/** Every lesson the server offers, in its order. */
export async function loadLessons() {
  const response = await fetch("/api/lessons", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`GET /api/lessons: ${response.status}`);
  return (await response.json()).lessons;
}

/**
 * The value a goal watches in one `metrics` message (null when the message has none, such as an
 * accuracy in regression).
 */
export function metricValue(metric, metrics) {
  if (!metrics) return null;
  const value = metric === "gap" ? metrics.test_loss - metrics.train_loss : metrics[metric];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Whether this `metrics` message reaches the goal: its epoch is past `after`, the value within the bounds. */
export function reached(goal, metrics) {
  if (!metrics || metrics.diverged || metrics.epoch < (goal.after ?? 0)) return false;
  const value = metricValue(goal.metric, metrics);
  if (value === null) return false;
  if (goal.min !== undefined && goal.min !== null && value < goal.min) return false;
  if (goal.max !== undefined && goal.max !== null && value > goal.max) return false;
  return true;
}

function formatBound(value) {
  return String(Number(value.toPrecision(6)));
}

/** "test loss ≤ 0.177", "0.02 ≤ test loss − training loss ≤ 0.4": a goal in words (as the server words a lesson's). */
export function goalLabel(goal) {
  if (goal.label) return goal.label;
  const words = METRIC_WORDS[goal.metric] ?? goal.metric;
  const hasMin = goal.min !== undefined && goal.min !== null;
  const hasMax = goal.max !== undefined && goal.max !== null;
  if (hasMin && hasMax) return `${formatBound(goal.min)} ≤ ${words} ≤ ${formatBound(goal.max)}`;
  return hasMax ? `${words} ≤ ${formatBound(goal.max)}` : `${words} ≥ ${formatBound(goal.min)}`;
}

// -- links from the crash course ----------------------------------------------------------------

// Google's course build reads `goal<Metric><Min|Max>Threshold<First|Second|Third>`. TestLoss's
// "Min" threshold is the lowest test loss to reach (the course says "a test loss of at most
// 0.177"), so for a loss "Min" is an upper bound. For the difference of test and training loss the
// course's pages give a band ("between 0.02 and 0.4" with Min 0.02 and Max 0.4): Min is the lower
// bound, Max the upper, and a Min and a Max of the same stage make one goal.
const COURSE_GOAL = /^goal(TestLoss|TrainLoss|TrainTestDiff)(Min|Max)Threshold(First|Second|Third|Fourth|Fifth)$/;
const COURSE_METRICS = { TestLoss: "test_loss", TrainLoss: "train_loss", TrainTestDiff: "gap" };
const STAGES = ["First", "Second", "Third", "Fourth", "Fifth"];
const LOSS_BOUND = { Min: "max", Max: "min" };   // a loss is brought down to its Min threshold
const GAP_BOUND = { Min: "min", Max: "max" };    // the gap stays within its band

/**
 * The staged goals a crash-course link carries, in stage order (within a stage, in the order of
 * the metrics above), or null when it has none. Goals count from epoch 1: a network that has not
 * trained has not reached anything.
 * @param {[string, string][]} keys  the link's course keys (hash.js `parseHash(...).course`)
 * @returns {{tutorial: string|null, goals: object[]}|null}
 */
export function courseGoals(keys) {
  const byStage = new Map();
  let tutorial = null;
  for (const [key, text] of keys) {
    if (key === "tutorial") {
      tutorial = text.trim() || null;
      continue;
    }
    const match = COURSE_GOAL.exec(key);
    const value = Number(text);
    if (!match || text.trim() === "" || !Number.isFinite(value)) continue;
    const [, name, kind, stage] = match;
    const metric = COURSE_METRICS[name];
    const id = `${STAGES.indexOf(stage)}:${metric}`;
    const goal = byStage.get(id) ?? { metric, stage: STAGES.indexOf(stage) + 1, after: 1 };
    goal[(metric === "gap" ? GAP_BOUND : LOSS_BOUND)[kind]] = value;
    byStage.set(id, goal);
  }
  if (!byStage.size) return null;
  const order = Object.values(COURSE_METRICS);
  const goals = [...byStage.values()].sort((a, b) => a.stage - b.stage || order.indexOf(a.metric) - order.indexOf(b.metric));
  return { tutorial, goals };
}

/** The crash course's exercises that carry goals, by their `tutorial=` name. */
const TUTORIALS = {
  "dp-neural-net-intro-first": "A first neural network",
  "dp-neural-net-intro-initialization": "Neural net initialization",
  "dp-neural-net-intro-spiral": "Neural net spiral",
  "dp-training-and-test-sets": "Training and test sets",
  "dp-regularization-for-simplicity-l2": "L2 regularization",
  "dp-regularization-for-sparsity": "L1 regularization",
};

/** The exercise's name: the course's own where known, else its `tutorial=` name in words. */
export function tutorialTitle(tutorial) {
  if (!tutorial) return "An exercise from the crash course";
  if (TUTORIALS[tutorial]) return TUTORIALS[tutorial];
  const words = tutorial.replace(/^dp-/, "").replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// -- tasks ----------------------------------------------------------------------------------------

/** The goals of task `index` (from 0), each with its index in the lesson's flat `goals` list. */
export function taskGoals(lesson, index) {
  return lesson.goals.map((goal, at) => ({ ...goal, index: at })).filter((goal) => goal.task === index + 1);
}

/**
 * What "Show me" sends for task `index`: the settings the tasks up to it suggest (each over the
 * earlier ones'), and its hand-set weights. Edits name weights of the lesson's network, so with
 * edits the features and hidden layers go along (the student may have changed them).
 * @returns {{config: object, edits: object[]}}
 */
export function taskSuggestion(lesson, index) {
  const config = {};
  for (const task of lesson.tasks.slice(0, index + 1)) Object.assign(config, task.settings ?? {});
  const edits = lesson.tasks[index]?.edits ?? [];
  if (edits.length) {
    for (const key of ["features", "network_shape"]) if (!(key in config)) config[key] = lesson.settings[key];
  }
  return { config, edits };
}

// -- progress, kept in the browser ------------------------------------------------------------------

/** A lesson's saved progress: {task (from 0), reached: goal indices}. */
export function readProgress(key) {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_PREFIX + key) ?? "null");
    if (saved && Number.isInteger(saved.task) && Array.isArray(saved.reached)) {
      return { task: Math.max(0, saved.task), reached: new Set(saved.reached.filter(Number.isInteger)) };
    }
  } catch {
    // No storage (a course site's frame that blocks it) or a damaged entry: start afresh.
  }
  return { task: 0, reached: new Set() };
}

export function writeProgress(key, progress) {
  try {
    localStorage.setItem(STORAGE_PREFIX + key, JSON.stringify({ task: progress.task, reached: [...progress.reached] }));
  } catch {
    // Without storage the progress lasts as long as the tab; nothing else depends on it.
  }
}
