#!/usr/bin/env bash
# Runtime benchmarks, each against a yardstick measured in the same run:
#   1. request latency/throughput: gateway and mTLS mesh paths vs a direct unix-socket request to the same Bun server
#   2. `up` to all-ready for samples/todo and a generated Kit of 20 workloads (prepare cached), and the
#      supervisor's resident memory with 20 workloads running
#   bench/runtime.sh [runs]     (default 5 runs of each `up`)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d /tmp/capakit-rt-XXXXXX)
export HOME="$work/home" DOTNET_CLI_HOME="${DOTNET_CLI_HOME:-/root}"
mkdir -p "$HOME"
trap 'for k in "$work"/kits/*/; do dotnet "$tool" down "$k" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

dotnet build sdk/CapaKit.Sdk/CapaKit.Sdk.csproj -c Debug -v:q -nologo >/dev/null
dotnet publish tool/CapaKit.Tool/CapaKit.Tool.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/tool" -v:q -nologo >/dev/null
dotnet build bench/RuntimeBench -c Release -v:q -nologo >/dev/null
tool="$work/tool/dotnet-capakit.dll"
version=$(ls artifacts/packages/CapaKit.Sdk.*.nupkg | sed 's/.*CapaKit\.Sdk\.\(.*\)\.nupkg/\1/' | sort -V | tail -n1)
mkdir -p "$work/feed" && cp "artifacts/packages/CapaKit.Sdk.$version.nupkg" "$work/feed/"

bun=${CAPAKIT_BUN:-$(command -v bun || ls "${XDG_CACHE_HOME:-/root/.cache}"/capakit/bun/*/bin/bun 2>/dev/null | head -n1)}
[ -x "$bun" ] || { echo "bun not found: run './build.sh test' once or set CAPAKIT_BUN" >&2; exit 1; }
export CAPAKIT_BUN="$bun"

echo "### Request paths"
echo
dotnet artifacts/bin/RuntimeBench/release/RuntimeBench.dll "$bun" 3000 5
echo

new_kit() { # new_kit <name> -> folder with nuget.config and a .kitproj
  local dir="$work/kits/$1"; mkdir -p "$dir"
  cat > "$dir/nuget.config" <<XML
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources><clear /><add key="local" value="$work/feed" /></packageSources>
</configuration>
XML
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$dir/$f"; done
  echo "<Project Sdk=\"CapaKit.Sdk/$version\"><PropertyGroup><UserSecretsId>capakit-bench-$1</UserSecretsId></PropertyGroup></Project>" > "$dir/$1.kitproj"
  echo "$dir"
}

todo=$(new_kit todo)
cp -r samples/todo/capability.yml samples/todo/workloads "$todo/"
rm -rf "$todo"/workloads/*/node_modules "$todo"/workloads/*/.capakit
mkdir -p "$work/data"
printf 'bench-token' | dotnet "$tool" secrets set api_token --kit "$todo" >/dev/null

many=$(new_kit many)
{
  echo "version: '1'"; echo "name: many"; echo "workloads:"
  for i in $(seq -w 1 20); do
    echo "  w$i:"
    echo "    endpoints: [http]"
    [ "$i" != 01 ] && echo "    connections: [w$(printf '%02d' $((10#$i - 1)))]"
    echo "    runtime: {source: {toolchain: bun, start: {command: bun run server.ts}}}"
    mkdir -p "$many/workloads/w$i"
    cat > "$many/workloads/w$i/server.ts" <<'TS'
const bind = process.env.CAPAKIT_RUNNER_MANAGED_INGRESS_BIND!.slice("unix:".length);
Bun.serve({ unix: bind, fetch() { return new Response("ok"); } });
TS
  done
  echo "expose:"; echo "  - {path: /, target: w20, endpoints: [http]}"
} > "$many/capability.yml"

ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# Warm-up: builds the bundles, installs todo's dependencies (prepare is cached from then on).
dotnet "$tool" up -d "$todo" --mount data="$work/data" >/dev/null && dotnet "$tool" down "$todo" >/dev/null
dotnet "$tool" up -d "$many" >/dev/null && dotnet "$tool" down "$many" >/dev/null

declare -A t
rss=""
for i in $(seq "$runs"); do
  a=$(ms); dotnet "$tool" up -d "$todo" --mount data="$work/data" >/dev/null; b=$(ms); t[todo]+="$((b - a)) "
  dotnet "$tool" down "$todo" >/dev/null
  a=$(ms); dotnet "$tool" up -d "$many" >/dev/null; b=$(ms); t[many]+="$((b - a)) "
  pid=$(dotnet "$tool" ps --format json | grep -o '"pid": [0-9]*' | head -n1 | grep -o '[0-9]*')
  rss+="$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status) "
  dotnet "$tool" down "$many" >/dev/null
  # Yardstick: starting the same 20 Bun servers directly, no sandbox, no runtime.
  a=$(ms)
  pids=()
  for w in "$many"/workloads/*/; do
    CAPAKIT_RUNNER_MANAGED_INGRESS_BIND="unix:$work/y-$(basename "$w").sock" "$bun" "$w/server.ts" & pids+=($!)
  done
  for w in "$many"/workloads/*/; do until [ -S "$work/y-$(basename "$w").sock" ]; do sleep 0.01; done; done
  b=$(ms); t[bare]+="$((b - a)) "
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true; rm -f "$work"/y-*.sock
done
m() { echo "$1" | tr ' ' '\n' | grep . | median; }
echo "### up to all-ready (prepare cached), median of $runs"
echo
echo "| Kit | \`up -d\` until ready, ms | yardstick |"
echo "|---|---|---|"
echo "| samples/todo (2 workloads, secret, mount) | $(m "${t[todo]}") | |"
echo "| generated, 20 workloads, 19 mTLS connections | $(m "${t[many]}") | 20 bare \`bun server.ts\` started in parallel: $(m "${t[bare]}") ms |"
echo
echo "Supervisor resident memory with 20 workloads running: $(m "$rss") MB (median; VmRSS of the \`up\` process, Bun processes not included)."
echo
echo "$(nproc) cores; Release + ReadyToRun tool; $(date -u +%Y-%m-%d)."
