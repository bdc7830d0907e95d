"""The page's pure modules, run in the browser by importing them (no build step, no Node):
the URL hash codec, the loss history's fixed size and the frame decoder."""

from __future__ import annotations


def test_hash_round_trip_keeps_every_setting(modules):
    result = modules.evaluate(
        """async () => {
            const { parseHash, formatHash } = await import('/static/js/hash.js');
            const options = await (await fetch('/api/options')).json();
            // A whole config, as the server's state gives it.
            const config = {...options.defaults, network_shape: [], features: ['x', 'sinY'], seed: 'a b&c',
                            learning_rate: 0.00001, problem: 'multiclass', num_classes: 5,
                            dataset: 'multi-spiral', loss: 'cross_entropy'};
            const hash = formatHash({config, display: {showTestData: true, discretize: false}, speed: 20,
                                     hidden: new Set(['noise']), hideText: true});
            const back = parseHash('#' + hash, options);
            return {config, back: back.config, display: back.display, speed: back.speed,
                    hidden: [...back.hidden], hideText: back.hideText, legacy: back.legacy};
        }""")
    assert result["back"] == result["config"]
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


def test_hash_keeps_hand_edits_in_one_readable_key(modules):
    result = modules.evaluate(
        """async () => {
            const { parseHash, formatHash, parseEdits, formatEdits } = await import('/static/js/hash.js');
            const options = await (await fetch('/api/options')).json();
            const config = {...options.defaults};
            const edits = [{layer: 2, from: 0, to: 0, value: 4},
                           {layer: 2, node: 0, value: 3},
                           {layer: 0, from: 1, to: 0, value: -4.5},
                           {layer: 0, node: 1, value: 0.1},
                           {layer: 0, from: 0, to: 1, value: 1 / 3}];
            const hash = formatHash({config, display: {}, speed: 1, hidden: new Set(['noise']), hideText: false, edits});
            const back = parseHash('#' + hash, options);
            return {
                hash, back: back.edits, bad: back.badEdits, config: back.config, same: JSON.stringify(back.config) === JSON.stringify(config),
                none: formatHash({config, display: {}, speed: 1, hidden: new Set(), hideText: false}).includes('edits'),
                typed: parseEdits('w0.0.0:1, b1.0 : 2 ,w0.0.0:1e 3,w1.x.0:2,w0.0.0.0:1,b1.0:NaN,b1.0:abc,,'),
                legacy: parseHash('#networkShape=2&seed=0.1&x=true', options).edits,
                tiny: formatEdits([{layer: 0, node: 0, value: 1.5e-7},
                                   {layer: 0, node: 1, value: -1000000}]),
            };
        }""")
    assert "&edits=w0.1.0:-4.5,b0.1:0.1,w0.0.1:0.33333334,b2.0:3,w2.0.0:4&noise_hide=true" in result["hash"]
    assert result["same"] and result["bad"] == 0
    assert [("node" in e, e["layer"], e["value"]) for e in result["back"]] == [
        (False, 0, -4.5), (True, 0, 0.1), (False, 0, 0.33333334), (True, 2, 3), (False, 2, 4)]
    assert result["none"] is False
    # The last edit of a weight wins; "+" typed in a hash reads as a space; unreadable entries count.
    assert result["typed"] == {"edits": [{"layer": 1, "node": 0, "value": 2},
                                         {"layer": 0, "from": 0, "to": 0, "value": 1000}],
                               "badEdits": 4}
    assert result["legacy"] == []
    assert result["tiny"] == "b0.0:1.5e-7,b0.1:-1000000"
