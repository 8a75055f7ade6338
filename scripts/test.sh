#!/usr/bin/env bash
# Installs what the tests need when it is missing (Redis and Chromium from Debian's packages), builds
# the solution and runs every test. Ends with "N passed, N failed" summed from the test results.
#
# The two test assemblies run one after the other, never side by side: the multi-process cluster tests
# and Chromium would otherwise share the two cores and stretch each other's timings. A test that hangs
# for longer than HANG_TIMEOUT is dumped (the dump lands next to the results) and fails the run; each
# assembly as a whole is capped too. Extra arguments go to every `dotnet test` (e.g. --filter ...).
set -uo pipefail
cd "$(dirname "$0")/.."

# The slowest test (the rolling restart) took 230 s with the machine at a load average of 15-28.
HANG_TIMEOUT=${HUB_TEST_HANG_TIMEOUT:-10m}
# name, project, cap on the whole assembly's run
PROJECTS=(
  "Hub.Tests tests/Hub.Tests/Hub.Tests.csproj 30m"
  "Hub.Browser.Tests tests/Hub.Browser.Tests/Hub.Browser.Tests.csproj 10m"
)

# The one place Chromium is found: the browser tests read HUB_CHROMIUM (default /usr/bin/chromium, the
# same default as BrowserSession.ChromiumPath), so what is checked here is what they launch.
export HUB_CHROMIUM=${HUB_CHROMIUM:-/usr/bin/chromium}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x "$HUB_CHROMIUM" ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian's packages..."
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "Could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
  [ -x "$HUB_CHROMIUM" ] || { echo "Chromium is not at $HUB_CHROMIUM after installing it: set HUB_CHROMIUM to its path."; echo "0 passed, 1 failed"; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Hub.sln -c Release -nologo -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

results=${HUB_TEST_RESULTS:-$(mktemp -d)}
mkdir -p "$results"

# counter NAME FILE: one attribute of a trx file's <Counters> element (0 when absent).
counter() {
  local value
  value=$(grep -o '<Counters [^>]*>' "$2" 2>/dev/null | head -n 1 | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p")
  echo "${value:-0}"
}

passed=0; failed=0; status=0; summary=()
for entry in "${PROJECTS[@]}"; do
  read -r name project cap <<<"$entry"
  trx="$results/$name.trx"
  rm -f "$trx"
  echo "=== $name ==="
  started=$SECONDS
  timeout --kill-after=30s "$cap" \
    dotnet test "$project" -c Release --no-build --nologo \
      --blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type mini \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" "$@"
  code=$?
  seconds=$((SECONDS - started))
  total=$(counter total "$trx"); p=$(counter passed "$trx"); f=$(counter failed "$trx")
  note=""
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
    note=" (stopped: the whole run took longer than $cap)"
  elif [ ! -f "$trx" ]; then
    note=" (no test results: the test host did not run)"
  elif [ "$total" -eq 0 ] && [ $# -eq 0 ]; then
    # Without a filter every assembly has tests: none found means discovery broke, not that all is well.
    note=" (no test was discovered)"
  fi
  # A crashed or stopped test host can leave no failed count behind: never report a failing run as all passed.
  if { [ "$code" -ne 0 ] || [ -n "$note" ]; } && [ "$f" -eq 0 ]; then f=1; fi
  [ "$code" -ne 0 ] || [ -z "$note" ] || code=1
  [ "$code" -eq 0 ] || status=$code
  passed=$((passed + p)); failed=$((failed + f))
  summary+=("$name: $p passed, $f failed of $total in ${seconds}s$note")
done

echo "=== Summary (results in $results) ==="
printf '%s\n' "${summary[@]}"
if [ $# -gt 0 ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "No test matched the arguments: $*"
  failed=1; status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
