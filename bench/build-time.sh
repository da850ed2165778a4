#!/usr/bin/env bash
# Cold and no-op `dotnet build` of samples/todo against an empty Microsoft.Build.NoTargets project
# (the yardstick), measured alternately in the same run. Prints a Markdown table of medians and ratios.
#   bench/build-time.sh [runs]      (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
work=$(mktemp -d /tmp/capakit-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet build sdk/CapaKit.Sdk/CapaKit.Sdk.csproj -c Debug -v:q -nologo >/dev/null
version=$(ls artifacts/packages/CapaKit.Sdk.*.nupkg | sed 's/.*CapaKit\.Sdk\.\(.*\)\.nupkg/\1/' | sort -V | tail -n1)

# Both projects live in one isolated workspace: same NuGet config, same package folder, same machine state.
mkdir -p "$work/feed" "$work/todo" "$work/yardstick"
cp "artifacts/packages/CapaKit.Sdk.$version.nupkg" "$work/feed/"
cat > "$work/nuget.config" <<XML
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources><add key="local" value="$work/feed" /></packageSources>
</configuration>
XML
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$work/$f"; done
cp -r samples/todo/capability.yml samples/todo/workloads "$work/todo/"
rm -rf "$work"/todo/workloads/*/node_modules
echo "<Project Sdk=\"CapaKit.Sdk/$version\" />" > "$work/todo/todo.kitproj"
cat > "$work/yardstick/yardstick.proj" <<'XML'
<Project Sdk="Microsoft.Build.NoTargets/3.7.0">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
</Project>
XML

ms() { date +%s%3N; }
time_build() { # time_build <project> -> milliseconds
  local t0 t1
  t0=$(ms); dotnet build "$1" -nologo -v:q >/dev/null; t1=$(ms)
  echo $((t1 - t0))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Warm the package folder once so "cold" measures a fresh project, not a first-ever download.
dotnet build "$work/todo/todo.kitproj" -nologo -v:q >/dev/null
dotnet build "$work/yardstick/yardstick.proj" -nologo -v:q >/dev/null

declare -A samples
for i in $(seq "$runs"); do
  for p in todo yardstick; do
    proj=$(ls "$work/$p"/*proj)
    rm -rf "$work/$p/bin" "$work/$p/obj"
    samples[$p-cold]+="$(time_build "$proj") "
    samples[$p-noop]+="$(time_build "$proj") "
  done
done

row() { echo "$1" | tr ' ' '\n' | grep . | median; }
tc=$(row "${samples[todo-cold]}"); yc=$(row "${samples[yardstick-cold]}")
tn=$(row "${samples[todo-noop]}"); yn=$(row "${samples[yardstick-noop]}")
echo "| build | samples/todo (ms, median) | NoTargets yardstick (ms, median) | ratio |"
echo "|---|---|---|---|"
echo "| cold (no bin/obj, packages cached) | $tc | $yc | $(awk "BEGIN{printf \"%.2f\", $tc/$yc}") |"
echo "| no-op (nothing changed) | $tn | $yn | $(awk "BEGIN{printf \"%.2f\", $tn/$yn}") |"
echo
echo "$runs runs each, alternating; $(nproc) cores; $(dotnet --version) SDK; $(date -u +%Y-%m-%d)."
