// What the page needs to know of the config's rules beyond hello's lists: how many points the
// data has and how many of them train, so that a change never asks for a batch larger than the
// training set (which the server refuses; docs/protocol.md, `batch_size`).

/** How many points a config's data has (num_points null: the problem's default, from hello). */
export function pointsOf(config, options) {
  return config.num_points ?? options.default_points[config.problem];
}

/** How many of them are training points, counted as the engine counts them. */
export function trainingPoints(config, options) {
  return Math.floor((pointsOf(config, options) * config.train_ratio) / 100);
}

/**
 * A change to send, with the batch size lowered to the training set it would leave if the batch
 * would no longer fit (fewer points, a smaller training share, another problem's default).
 * @param {object} partial  the change
 * @param {object} config   the config it applies to (the server's current one)
 * @param {object} options  hello.options
 * @returns {object} `partial`, or a copy with `batch_size` added
 */
export function fitBatch(partial, config, options) {
  const next = { ...config, ...partial };
  const train = trainingPoints(next, options);
  if (Number.isFinite(train) && next.batch_size > train) return { ...partial, batch_size: Math.max(1, train) };
  return partial;
}
