#!/usr/bin/env bash
# Launch cost of the sandbox, side by side in one run (medians of N runs, alternating):
#   bare `bun -e 0`  |  bare `bwrap <same flags as CapaKit> bun -e 0`  |  `capakit exec hello -- bun -e 0`
# plus the tool's own start (`capakit --version`). The tool is published Release + ReadyToRun.
#   bench/exec-latency.sh [runs]     (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
work=$(mktemp -d /tmp/capakit-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet build sdk/CapaKit.Sdk/CapaKit.Sdk.csproj -c Debug -v:q -nologo >/dev/null
dotnet publish tool/CapaKit.Tool/CapaKit.Tool.csproj -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/tool" -v:q -nologo >/dev/null
capakit="$work/tool/dotnet-capakit"
version=$(ls artifacts/packages/CapaKit.Sdk.*.nupkg | sed 's/.*CapaKit\.Sdk\.\(.*\)\.nupkg/\1/' | sort -V | tail -n1)

mkdir -p "$work/feed" "$work/kit/workloads/hello"
cp "artifacts/packages/CapaKit.Sdk.$version.nupkg" "$work/feed/"
cat > "$work/kit/nuget.config" <<XML
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources><clear /><add key="local" value="$work/feed" /></packageSources>
</configuration>
XML
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$work/kit/$f"; done
cp samples/hello/capability.yml "$work/kit/"
echo "<Project Sdk=\"CapaKit.Sdk/$version\" />" > "$work/kit/hello.kitproj"
dotnet build "$work/kit/hello.kitproj" -nologo -v:q >/dev/null

# The first exec provisions Bun into the tool's cache when no Bun is installed; every later run uses the same one.
"$capakit" exec hello --kit "$work/kit" -- /bin/true
bun=${CAPAKIT_BUN:-$(command -v bun || ls "${XDG_CACHE_HOME:-$HOME/.cache}"/capakit/bun/*/bin/bun | head -n1)}
export CAPAKIT_BUN="$bun"
root="$work/kit/workloads/hello"
bundir=$(dirname "$bun")

# The same namespaces, binds and session flags the launcher uses, without seccomp, prlimit or the tool.
bare_bwrap() {
  bwrap --unshare-user --unshare-ipc --unshare-pid --unshare-uts --unshare-cgroup-try --unshare-net \
    --uid 1000 --gid 1000 --disable-userns --die-with-parent --new-session --cap-drop ALL --clearenv \
    --setenv PATH "$bundir:/usr/bin:/bin" --proc /proc --dev /dev --size 268435456 --tmpfs /tmp \
    --ro-bind-try /usr /usr --ro-bind-try /bin /bin --ro-bind-try /lib /lib --ro-bind-try /lib64 /lib64 \
    --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache --ro-bind "$bundir" "$bundir" --bind "$root" "$root" --chdir "$root" \
    -- "$bun" -e 0
}

ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A t
for i in $(seq "$runs"); do
  a=$(ms); "$bun" -e 0; b=$(ms); t[bun]+="$((b - a)) "
  a=$(ms); bare_bwrap; b=$(ms); t[bwrap]+="$((b - a)) "
  a=$(ms); "$capakit" exec hello --kit "$work/kit" -- "$bun" -e 0; b=$(ms); t[exec]+="$((b - a)) "
  a=$(ms); "$capakit" --version >/dev/null; b=$(ms); t[version]+="$((b - a)) "
done
m() { echo "${t[$1]}" | tr ' ' '\n' | grep . | median; }
bunm=$(m bun); bw=$(m bwrap); ex=$(m exec); ve=$(m version)
echo "| command | median ms | over bare bun | over bare bwrap |"
echo "|---|---|---|---|"
echo "| \`bun -e 0\` | $bunm | – | – |"
diff() { awk "BEGIN{printf \"+%.1f\", $1 - $2}"; }
echo "| \`bwrap … bun -e 0\` (launcher's flags, no seccomp) | $bw | $(diff "$bw" "$bunm") | – |"
echo "| \`capakit exec hello -- bun -e 0\` | $ex | $(diff "$ex" "$bunm") | $(diff "$ex" "$bw") |"
echo "| \`capakit --version\` | $ve | | |"
echo
echo "$runs runs each, alternating; $(nproc) cores; Release + ReadyToRun tool; $(date -u +%Y-%m-%d)."
