#!/usr/bin/env bash
# The one prepared command for a lent GPU machine (docs/performance.md, "Measuring on a lent GPU"): from the
# checkout's root there, with .gpu-kit/ carried (node scripts/gpu-kit.mjs builds it here),
#
#   bash scripts/gpu-measure.sh
#
# unpacks Node, Dawn and (where the machine lacks one) the Vulkan loader from the kit, finds NVIDIA's Vulkan
# driver, then measures in one go: the five bench configs on the webgpu rung, each back to back with PyTorch on
# CUDA (torch_dcgan.py --device cuda, the machine's own PyTorch), a per-kernel profile of one training step,
# and the CUDA doctor's report for that machine. Everything lands in $OUT (the device tool brings it back):
#   measure.log        all output, with the adapter the bench ran on
#   bench.jsonl        one JSON object per config: ours, reference, ratio, unit
#   profile.txt        where one train-64-w64 step's time goes, per kernel (GPU timestamps)
#   dispatch-cost.txt  what issuing one GPU program, and one read back, cost this machine's CPU (the ceiling)
#   cuda-doctor.json   the CUDA doctor's findings for the tensorflow-gpu rung
#   summary.txt        the table for docs/performance.md, with the issue's targets
#
# Here, as a check of the kit itself (tests/integration/gpu-kit.webgpu.test.ts), GPU_MEASURE_SOFTWARE=1 runs a
# short version on whatever adapter Dawn finds (SwiftShader) against PyTorch on the CPU.
set -uo pipefail
kit=$(cd "${GPU_KIT:-.gpu-kit}" && pwd) || { echo "gpu-measure: no kit at ${GPU_KIT:-.gpu-kit}: build it with node scripts/gpu-kit.mjs and carry it" >&2; exit 2; }
out=${OUT:-$PWD/gpu-out}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Everything below also goes to measure.log; the pipe (not an exec into tee) so the log is complete when this exits.
main() {
  python=${GPU_MEASURE_PYTHON:-python3}
  started=$(date +%s)
  say() { echo "[gpu-measure $(($(date +%s) - started)) s] $*"; }

  unxz_to() { # xz → file, with Python's lzma where the machine has no xz
    if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else "$python" -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
  }

  say "unpacking the kit ($(jq -r .commit "$kit/manifest.json" 2>/dev/null || grep -m1 '"commit"' "$kit/manifest.json"))"
  unxz_to "$kit/node.xz" "$work/node" && chmod +x "$work/node" || exit 1
  cp "$kit/bench.mjs" "$kit"/engine*.cjs "$work/" && cp -r "$kit/node_modules" "$work/" || exit 1
  unxz_to "$work/node_modules/webgpu/dist/linux-x64/dawn.node.xz" "$work/node_modules/webgpu/dist/linux-x64/dawn.node" || exit 1
  node="$work/node"
  say "node $("$node" --version)"

  if [ -z "${GPU_MEASURE_SOFTWARE:-}" ]; then
    # The device README's recipe: Debian's loader and GL dispatch libraries unpacked into /, when none is there.
    if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
      if ls "$kit"/debs/*.deb >/dev/null 2>&1; then
        for f in "$kit"/debs/*.deb; do dpkg -x "$f" /; done
        ldconfig
        say "Vulkan loader unpacked from the kit"
      else
        say "no libvulkan.so.1 on this machine and none in the kit: Dawn will find no adapter"
      fi
    fi
    for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$icd" ]; then
        export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
        say "NVIDIA Vulkan driver: $icd"
        break
      fi
    done
    egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    [ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader || say "nvidia-smi failed"
    reference=(--reference-device cuda --reference-python "$python")
    policy=()
    profile=${GPU_MEASURE_PROFILE-train-64-w64}
  else
    say "software check: a short run on the adapter Dawn finds, PyTorch on the CPU"
    reference=(--reference-device cpu --reference-python "$python")
    policy=(--quick --only "${GPU_MEASURE_ONLY:-generate-64-b1}")
    profile=${GPU_MEASURE_PROFILE-}
  fi
  "$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "GPU", torch.cuda.is_available() and torch.cuda.get_device_name(0))' || say "PyTorch did not load"

  say "CUDA doctor"
  (cd "$work" && "$node" -e 'process.stdout.write(JSON.stringify(require("./engine.cjs").cudaDoctorReport(), null, 2) + "\n")') >"$out/cuda-doctor.json" || say "the CUDA doctor failed"

  say "bench: webgpu against PyTorch"
  (cd "$work" && "$node" bench.mjs --engine-bundle engine.cjs --backend webgpu "${reference[@]}" --reference-script "$kit/torch_dcgan.py" "${policy[@]}" --json) >"$out/bench.jsonl"
  status=$?
  [ $status -eq 0 ] || say "the bench failed (exit $status)"

  say "dispatch cost"
  (cd "$work" && "$node" bench.mjs --engine-bundle engine.cjs --backend webgpu --dispatch-cost) >"$out/dispatch-cost.txt" || say "the dispatch cost failed"
  cat "$out/dispatch-cost.txt"

  if [ -n "$profile" ]; then
    say "profile: one $profile step"
    (cd "$work" && "$node" bench.mjs --engine-bundle engine.cjs --backend webgpu --profile "$profile") >"$out/profile.txt" || say "the profile failed"
  fi

  # The table for docs/performance.md, with the issue's targets beside it. The wasm figures of record are the
  # 2-core dev VMs' (docs/performance.md, "Results"): train-64-w64 14.2 img/s, generate-64-b1 4.42 ms.
  "$node" -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
  const wasm = { "train-32-w16": 379, "train-32-w64": 69.5, "train-64-w64": 14.2, "generate-64-b1": 4.42, "generate-64-b64": 250 }
  const f = (v) => (v == null ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2))
  const lines = process.env.GPU_MEASURE_SOFTWARE ? ["Software check of the kit, on a software adapter: these figures are not GPU speed.", ""] : []
  lines.push("| config | webgpu | PyTorch | ratio | unit | vs wasm (2-core VM) |", "| --- | --- | --- | --- | --- | --- |")
  for (const r of rows) {
    const w = wasm[r.name]
    const vsWasm = w == null || r.ours == null ? "—" : `${(r.unit === "ms/frame" ? w / r.ours : r.ours / w).toFixed(1)}×`
    lines.push(`| ${r.name} | ${f(r.ours)} | ${f(r.reference)} | ${r.ratio == null ? "—" : r.ratio.toFixed(3) + "×"} | ${r.unit} | ${vsWasm} |`)
  }
  for (const r of rows.filter((r) => r.error)) lines.push(`${r.name}: webgpu failed: ${r.error}`)
  const t = rows.find((r) => r.name === "train-64-w64"), g = rows.find((r) => r.name === "generate-64-b1")
  if (t?.ours != null) lines.push("", `train-64-w64: ${t.ratio?.toFixed(3)}× PyTorch (target ≥ 0.5×, stretch 1×), ${(t.ours / 14.2).toFixed(1)}× wasm (target ≥ 50×)`)
  if (g?.ours != null) lines.push(`generate-64-b1: ${f(g.ours)} ms (target ≤ 2 ms)`)
  process.stdout.write(lines.join("\n") + "\n")
  ' "$out/bench.jsonl" | tee "$out/summary.txt"
  say "done"
  return $status
}
main 2>&1 | tee "$out/measure.log"
exit "${PIPESTATUS[0]}"
