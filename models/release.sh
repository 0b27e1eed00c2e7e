#!/usr/bin/env bash
# Turn a finished training run into the shipped model:
#   models/release.sh [work folder] [model folder]
# ranks the kept checkpoints with the segmenter, exports the best one,
# recomputes the key statistics, and draws the README's sample grid.
set -euo pipefail
work=${1:-models/.work/town64}
out=${2:-models/town64}
py=/usr/bin/python3

best=$($py models/select_checkpoint.py "$work" --threads 2 | tee "$work/selection.log" | sed -n 's/^best step \([0-9]*\).*/\1/p')
echo "release: best checkpoint is step $best" >&2
$py models/export_onnx.py "$work/step_$best.pt" --out "$out" 2>&1 | grep -v Warning >&2
npm run --silent stats -- --model "$out"
npm run --silent cli -- sample --model "$out" --seeds 0-63 --scale 2 --out docs/samples.png
