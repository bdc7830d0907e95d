"""The page's pure modules, run in the browser by importing them (no build step, no Node):
the URL hash codec, the loss history's fixed size, the frame decoder, and the speed menu."""

from __future__ import annotations


def test_hash_round_trip_keeps_every_setting(modules):
    result = modules.evaluate(
        """async () => {
            const { parseHash, formatHash, completeConfig } = await import('/static/js/hash.js');
            const options = await (await fetch('/api/options')).json();
            const config = completeConfig({network_shape: [], features: ['sinY', 'x'], seed: 'a b&c',
                                           learning_rate: 0.00001, problem: 'multiclass', num_classes: 5}, options);
            const hash = formatHash({config, display: {showTestData: true, discretize: false}, speed: 20,
                                     hidden: new Set(['noise']), hideText: true});
            const back = parseHash('#' + hash, options);
            return {config, back: back.config, display: back.display, speed: back.speed,
                    hidden: [...back.hidden], hideText: back.hideText, legacy: back.legacy};
        }""")
    assert result["back"] == result["config"]
    assert result["config"]["features"] == ["x", "sinY"]  # the engine's order
    assert result["config"]["dataset"] == "multi-spiral" and result["config"]["loss"] == "cross_entropy"
    assert result["display"] == {"showTestData": True, "discretize": False}
    assert (result["speed"], result["hidden"], result["hideText"], result["legacy"]) == (20, ["noise"], True, False)


def test_original_hash_rules(modules):
    result = modules.evaluate(
        """async () => {
            const { parseHash } = await import('/static/js/hash.js');
            const options = await (await fetch('/api/options')).json();
            const read = (h) => parseHash(h, options).config;
            return {
                empty: read('#networkShape=&x=false&y=true&seed=1'),
                truthy: read('#networkShape=2&xSquared=yes&seed=1'),
                defaultsXY: read('#learningRate=0.3&seed=2'),
                zero: read('#initZero=true&seed=3&percTrainData=70&batchSize=5&regularizationRate=0.1'),
            };
        }""")
    assert result["empty"]["network_shape"] == [] and result["empty"]["features"] == ["y"]
    assert result["truthy"]["features"] == ["x", "y", "xSquared"]  # the original: anything but "false" is true
    assert result["defaultsXY"]["features"] == ["x", "y"] and result["defaultsXY"]["learning_rate"] == 0.3
    assert result["zero"] == {"init": "zeros", "seed": "3", "train_ratio": 70, "batch_size": 5,
                              "regularization_rate": 0.1, "features": ["x", "y"]}


def test_loss_history_stays_bounded(modules):
    result = modules.evaluate(
        """async () => {
            const { LossHistory } = await import('/static/js/lossHistory.js');
            const h = new LossHistory(400);
            const sizes = [];
            for (let e = 0; e <= 100000; e += 7) { h.add(e, 1 / (e + 1), 2 / (e + 1)); if (e % 10003 === 0) sizes.push(h.length); }
            let points = 0, last = -1, ordered = true;
            h.forEach((e) => { points += 1; ordered = ordered && e > last; last = e; });
            return {length: h.length, points, ordered, last, spacing: h.spacing};
        }""")
    assert result["length"] <= 400 and result["points"] <= 401
    assert result["ordered"] and result["last"] == 99995  # the newest point is always drawn
    assert result["spacing"] > 1


def test_frame_decoder_reads_the_protocol_layout(modules):
    result = modules.evaluate(
        """async () => {
            const { decodeFrame, weightOf, biasOf } = await import('/static/js/frame.js');
            // 2 inputs -> 1 hidden -> 1 output, D = 2, T = 1: header 14 + 2*3 = 20 bytes (already a multiple of 4)
            const sizes = [2, 1, 1], params = [0.5, 1, 2, -0.25, 3];
            const buffer = new ArrayBuffer(20 + params.length * 4 + 4 + 1);
            const v = new DataView(buffer);
            v.setUint8(0, 1); v.setUint8(1, 2 | 4); v.setUint16(2, 2, true); v.setUint32(4, 42, true);
            v.setUint16(8, 1, true); v.setUint16(10, 0, true); v.setUint16(12, 3, true);
            sizes.forEach((s, i) => v.setUint16(14 + 2 * i, s, true));
            params.forEach((p, i) => v.setFloat32(20 + 4 * i, p, true));
            new Uint8Array(buffer, 40).set([0, 255, 128, 7, 99]);
            const f = decodeFrame(buffer);
            return {epoch: f.epoch, inspected: f.inspected, diverged: f.diverged, multiclass: f.multiclass,
                    w: weightOf(f, 0, 1, 0), b: biasOf(f, 1, 0), w2: weightOf(f, 1, 0, 0),
                    map: [...f.map], thumbs: [...f.thumbs]};
        }""")
    assert result == {"epoch": 42, "inspected": 0, "diverged": True, "multiclass": False,
                      "w": 2, "b": -0.25, "w2": 3, "map": [0, 255, 128, 7], "thumbs": [99]}


def test_speed_menu_follows_the_server_limit(modules):
    steps = modules.evaluate(
        "async () => (await import('/static/js/views/controls.js')).speedSteps(100)")
    assert steps == [1, 2, 5, 10, 20, 50, 100]
    assert modules.evaluate("async () => (await import('/static/js/views/controls.js')).speedSteps(30)") == [1, 2, 5, 10, 20, 30]


def test_hash_keeps_hand_edits_in_one_readable_key(modules):
    result = modules.evaluate(
        """async () => {
            const { parseHash, formatHash, completeConfig, parseEdits, formatEdits } = await import('/static/js/hash.js');
            const options = await (await fetch('/api/options')).json();
            const config = completeConfig({}, options);
            const edits = [{kind: 'weight', layer: 2, from: 0, to: 0, value: 4},
                           {kind: 'bias', layer: 2, node: 0, value: 3},
                           {kind: 'weight', layer: 0, from: 1, to: 0, value: -4.5},
                           {kind: 'bias', layer: 0, node: 1, value: 0.1},
                           {kind: 'weight', layer: 0, from: 0, to: 1, value: 1 / 3}];
            const hash = formatHash({config, display: {}, speed: 1, hidden: new Set(['noise']), hideText: false, edits});
            const back = parseHash('#' + hash, options);
            return {
                hash, back: back.edits, bad: back.badEdits, config: back.config, same: JSON.stringify(back.config) === JSON.stringify(config),
                none: formatHash({config, display: {}, speed: 1, hidden: new Set(), hideText: false}).includes('edits'),
                typed: parseEdits('w0.0.0:1, b1.0 : 2 ,w0.0.0:1e 3,w1.x.0:2,w0.0.0.0:1,b1.0:NaN,b1.0:abc,,'),
                legacy: parseHash('#networkShape=2&seed=0.1&x=true', options).edits,
                tiny: formatEdits([{kind: 'bias', layer: 0, node: 0, value: 1.5e-7},
                                   {kind: 'bias', layer: 0, node: 1, value: -1000000}]),
            };
        }""")
    assert "&edits=w0.1.0:-4.5,b0.1:0.1,w0.0.1:0.33333334,b2.0:3,w2.0.0:4&noise_hide=true" in result["hash"]
    assert result["same"] and result["bad"] == 0
    assert [(e["kind"], e["layer"], e["value"]) for e in result["back"]] == [
        ("weight", 0, -4.5), ("bias", 0, 0.1), ("weight", 0, 0.33333334), ("bias", 2, 3), ("weight", 2, 4)]
    assert result["none"] is False
    # The last edit of a weight wins; "+" typed in a hash reads as a space; unreadable entries count.
    assert result["typed"] == {"edits": [{"kind": "bias", "layer": 1, "node": 0, "value": 2},
                                         {"kind": "weight", "layer": 0, "from": 0, "to": 0, "value": 1000}],
                               "badEdits": 4}
    assert result["legacy"] == []
    assert result["tiny"] == "b0.0:1.5e-7,b0.1:-1000000"


def test_edit_log_records_what_frames_show_and_forgets_on_a_new_network(modules):
    """The rules that keep `edits=` the server's truth, with made-up frames of a [2, 1, 1] network."""
    result = modules.evaluate(
        """async () => {
            const { EditLog, fits } = await import('/static/js/edits.js');
            const sizes = [2, 1, 1];
            // params: layer 0: [b, w from x, w from y]; layer 1: [b, w from the hidden neuron]
            const frame = (epoch, params, s = sizes) => ({epoch, sizes: s, offsets: [0, 3], params: Float32Array.from(params)});
            const w = (from, value) => ({kind: 'weight', layer: 0, from, to: 0, value});
            const keys = (log) => log.forHash().map((e) => `${e.kind}${e.from ?? e.node}=${e.value}`).sort();
            const out = {};
            const config = {features: ['x', 'y'], network_shape: [1], problem: 'classification', seed: 'a', activation: 'tanh', learning_rate: 0.03};

            const log = new EditLog();
            log.onState(config);
            log.sent(w(1, 0.7), sizes, 0);
            out.inFlight = [log.onFrame(frame(0, [0.1, 0.2, 0.3, 0.1, 0.5])), keys(log)];  // sent before the edit was applied
            out.shown = [log.onFrame(frame(0, [0.1, 0.2, 0.7, 0.1, 0.5])), keys(log)];
            // Training runs: an answer with later epochs confirms though the value has moved.
            log.sent({kind: 'bias', layer: 1, node: 0, value: 2}, sizes, 0);
            out.trained = [log.onFrame(frame(3, [0.1, 0.2, 0.69, 0.1, 1.98])), keys(log)];
            // Live settings and our own regenerate keep them; any other change forgets them.
            out.live = [log.onState({...config, learning_rate: 0.1}), keys(log)];
            log.regenerateSent();
            out.regenerated = [log.onState({...config, learning_rate: 0.1, seed: 'b'}), keys(log)];
            out.newNetwork = [log.onState({...config, learning_rate: 0.1, seed: 'b', activation: 'relu'}), keys(log)];

            // A reset is forgotten when sent; answers to edits sent before it do not count.
            log.sent(w(0, -1), sizes, 0);
            log.onFrame(frame(0, [0, -1, 0, 0, 0]));
            log.sent(w(1, 5), sizes, 0);
            out.reset = [log.resetSent(), keys(log)];
            log.onFrame(frame(0, [0, -1, 5, 0, 0]));
            out.afterReset = keys(log);

            // An untrained frame without a recorded edit: the network was made new (a reset).
            log.sent(w(0, 4), sizes, 0);
            log.onFrame(frame(0, [0, 4, 0, 0, 0]));
            out.beforeGone = keys(log);
            out.gone = [log.onFrame(frame(0, [0, 0.3, 0, 0, 0])), keys(log)];
            // A newer edit of the same weight replaces the older one, pending or recorded.
            log.sent(w(0, 1), sizes, 0);
            log.sent(w(0, 2), sizes, 0);
            log.onFrame(frame(0, [0, 2, 0, 0, 0]));
            out.lastWins = [keys(log), log.pending.length];
            // A frame of another shape: everything was for a network that is gone.
            log.sent(w(1, 3), sizes, 0, true);
            out.linkPending = keys(log);
            out.otherShape = [log.onFrame(frame(0, [0, 0, 0, 0, 0, 0, 0], [2, 2, 1])), keys(log)];

            out.fits = [fits(w(1, 1), sizes), fits(w(2, 1), sizes), fits({kind: 'bias', layer: 2, node: 0, value: 1}, sizes),
                        fits(w(0, 1e6), sizes), fits(w(0, 1.0001e6), sizes), fits(w(0, NaN), sizes), fits(w(0.5, 1), sizes)];
            return out;
        }""")
    assert result["inFlight"] == [False, []]
    assert result["shown"] == [True, ["weight1=0.7"]]
    assert result["trained"] == [True, ["bias0=2", "weight1=0.7"]]
    assert result["live"] == [False, ["bias0=2", "weight1=0.7"]]
    assert result["regenerated"] == [False, ["bias0=2", "weight1=0.7"]]
    assert result["newNetwork"] == [True, []]
    assert result["reset"] == [True, []]
    assert result["afterReset"] == []
    assert result["beforeGone"] == ["weight0=4"]
    assert result["gone"] == [True, []]
    assert result["lastWins"] == [["weight0=2"], 0]
    assert result["linkPending"] == ["weight0=2", "weight1=3"]
    assert result["otherShape"] == [True, []]
    assert result["fits"] == [True, False, False, True, False, False, False]
