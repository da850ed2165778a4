#!/usr/bin/env bash
# CapaKit for .NET developer entry point.
#   ./build.sh test            run every test (what CI runs); prints "N passed, N failed" last
#   ./build.sh sample <name>   build the SDK and the tool, run samples/<name> with `dotnet capakit up`, run its tests, stop it
#   ./build.sh install         pack CapaKit.Sdk and CapaKit.Tool, install `dotnet capakit` as a global tool
set -euo pipefail
cd "$(dirname "$0")"
repo=$(pwd)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1; fi
}

apt_updated=0
# Installs Debian/Ubuntu packages that provide missing commands, or says exactly what to install.
need_apt() { # need_apt <command> <package>
  command -v "$1" >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1; then
    say "installing $2 (for $1)"
    if [ $apt_updated = 0 ]; then as_root apt-get update -qq || die "apt-get update failed; install $2 yourself"; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$2" >/dev/null || die "could not install $2; run: sudo apt-get install $2"
  else
    die "$1 is missing; install the $2 package"
  fi
}

need_lib() { # need_lib <package>: a library, not a command
  command -v apt-get >/dev/null 2>&1 || die "install the $1 package"
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq || die "apt-get update failed; install $1 yourself"; apt_updated=1; fi
  say "installing $1"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$1" >/dev/null || die "could not install $1; run: sudo apt-get install $1"
}

prerequisites() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is missing; install it from your distribution or Microsoft's packages"
  dotnet --list-sdks | grep -q '^10\.' || die "the .NET 10 SDK is missing (found: $(dotnet --list-sdks | tr '\n' ' ')); install .NET 10"
  need_apt openssl openssl     # certificate tests cross-check .NET with openssl
  need_apt bwrap bubblewrap    # the Linux sandbox
  need_apt prlimit util-linux  # rlimits for sandboxed processes
  need_apt npm npm             # Bun is provisioned from the npm registry's `bun` package
  if ! ls /usr/lib/*/libseccomp.so.2 /lib/*/libseccomp.so.2 >/dev/null 2>&1; then need_lib libseccomp2; fi
}

summary() { # sums every TRX file under $1 into the plain "N passed, N failed" line
  local passed=0 failed=0 counters p f
  for trx in "$1"/*.trx; do
    [ -e "$trx" ] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  done
  echo "$passed passed, $failed failed"
}

cmd_test() {
  prerequisites
  local results="$repo/artifacts/test-results"
  rm -rf "$results"
  say "building and testing CapaKit.sln"
  local status=0
  dotnet test CapaKit.sln -c Debug --logger "trx" --results-directory "$results" "$@" || status=$?
  summary "$results"
  return $status
}

json_list() { # json_list <key>: the string items of a "key": [...] list in the JSON on stdin
  sed -n "/\"$1\": \[/,/]/p" | grep -o '"[a-z0-9_-]*"' | grep -v "\"$1\"" | tr -d '"'
}

sample_package_id() { # sample_package_id <kitproj>: its <PackageId>, if it sets one
  sed -n 's:.*<PackageId>\(.*\)</PackageId>.*:\1:p' "$1" | head -n1
}

# Packs, into artifacts/packages, every sample Kit that samples/<name> imports by PackageReference (ids
# CapaKit.Samples.*, each the <PackageId> of a sample's .kitproj), those samples' own imports first, and drops
# the cached copy from the samples' package folder so the next restore takes the fresh pack of the same version.
pack_sample_imports() { # pack_sample_imports <name> [<names already on the path>...]
  local name=$1; shift
  local id kitproj found lower
  for id in $(grep -o '<PackageReference Include="CapaKit\.Samples\.[^"]*"' "samples/$name/$name.kitproj" | sed 's/.*Include="\(.*\)"/\1/'); do
    found=
    for kitproj in samples/*/*.kitproj; do
      if [ "$(sample_package_id "$kitproj")" = "$id" ]; then found=$kitproj; break; fi
    done
    [ -n "$found" ] || die "samples/$name imports $id, but no sample's .kitproj has <PackageId>$id</PackageId>"
    local dep; dep=$(basename "$(dirname "$found")")
    case " $name $* " in *" $dep "*) die "samples/$name and samples/$dep import each other" ;; esac
    pack_sample_imports "$dep" "$name" "$@"
    say "packing samples/$dep ($id) into artifacts/packages"
    dotnet pack "$found" -o artifacts/packages -v:q -nologo
    lower=$(tr '[:upper:]' '[:lower:]' <<<"$id")
    rm -rf "artifacts/samples-packages/$lower"
  done
}

cmd_sample() {
  local name=${1:-}
  [ -n "$name" ] || die "name a sample: $(ls -d samples/*/ | xargs -n1 basename | tr '\n' ' ')"
  [ -f "samples/$name/$name.kitproj" ] || die "there is no sample '$name'; the samples are: $(ls -d samples/*/ | xargs -n1 basename | tr '\n' ' ')"
  prerequisites
  say "building CapaKit.Sdk and the dotnet capakit tool"
  dotnet build sdk/CapaKit.Sdk/CapaKit.Sdk.csproj -c Debug -v:q -nologo
  dotnet build tool/CapaKit.Tool/CapaKit.Tool.csproj -c Debug -v:q -nologo
  # The samples keep their own package folder; drop the cached SDK so this build uses the one just packed.
  rm -rf artifacts/samples-packages/capakit.sdk
  pack_sample_imports "$name"
  local capakit=(dotnet "$repo/artifacts/bin/CapaKit.Tool/debug/dotnet-capakit.dll")
  local kit="samples/$name"
  say "compiling $kit"
  if grep -q '<PackageReference Include="CapaKit\.Samples\.' "$kit/$name.kitproj"; then
    # `dotnet capakit` rebuilds a Kit only when the Kit's own files changed, and a fresh pack of an imported Kit
    # is not one of them: build it here so the bundle carries the import just packed.
    dotnet build "$kit/$name.kitproj" -c Debug -v:q -nologo
  fi
  local info; info=$("${capakit[@]}" build --kit "$kit" --format json)
  local mounts=() m
  for m in $(json_list hostMounts <<<"$info"); do
    mkdir -p "artifacts/sample-data/$name/$m"
    mounts+=(--mount "$m=$repo/artifacts/sample-data/$name/$m")
  done
  # A sample's secrets get fresh throwaway values so it runs without setup; your own Kits use `dotnet capakit secrets set`.
  local secret
  for secret in $(json_list secrets <<<"$info"); do
    head -c 24 /dev/urandom | base64 | "${capakit[@]}" secrets set "$secret" --kit "$kit" >/dev/null
  done
  say "running $kit (dotnet capakit up -d)"
  "${capakit[@]}" up "$kit" -d "${mounts[@]}"
  "${capakit[@]}" ps
  say "testing $kit (dotnet capakit test)"
  local status=0
  "${capakit[@]}" test "$kit" "${mounts[@]}" || status=$?
  say "stopping $kit"
  "${capakit[@]}" down "$kit"
  return $status
}

cmd_install() {
  prerequisites
  say "packing CapaKit.Sdk and CapaKit.Tool into artifacts/packages"
  dotnet build sdk/CapaKit.Sdk/CapaKit.Sdk.csproj -c Release -v:q -nologo
  dotnet pack tool/CapaKit.Tool/CapaKit.Tool.csproj -c Release -o artifacts/packages -v:q -nologo
  local version; version=$(sed -n 's:.*<CapaKitVersion>\(.*\)</CapaKitVersion>.*:\1:p' Directory.Build.props)
  say "installing dotnet capakit $version as a global tool"
  # A rebuild keeps the version: drop NuGet's cached copies and the installed tool, or the old ones stay in use.
  local packages; packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
  rm -rf "${packages%/}/capakit.tool/$version" "${packages%/}/capakit.sdk/$version"
  if dotnet tool list --global | grep -qi '^capakit\.tool '; then
    dotnet tool uninstall --global CapaKit.Tool >/dev/null
  fi
  dotnet tool install --global CapaKit.Tool --add-source "$repo/artifacts/packages" --version "$version"
  if ! dotnet nuget list source | grep -q "$repo/artifacts/packages"; then
    dotnet nuget add source "$repo/artifacts/packages" --name capakit-local >/dev/null
    say "added $repo/artifacts/packages as the NuGet source 'capakit-local', so <Project Sdk=\"CapaKit.Sdk/$version\"> restores"
  fi
}

case "${1:-}" in
  test) shift; cmd_test "$@" ;;
  sample) shift; cmd_sample "$@" ;;
  install) shift; cmd_install "$@" ;;
  *) echo "usage: ./build.sh test | ./build.sh sample <hello|todo|agents|kvstore|notes> | ./build.sh install" >&2; exit 2 ;;
esac
