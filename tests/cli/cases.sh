# The CLI cases, sourced by run-cli (functions: check, expect_grep; variables: src, tmp).
# check NAME STATUS DIR ARGS... compares with expected/NAME.out and expected/NAME.err.

broken="$src/examples/broken"
demo="$src/examples/demo"

# The demo repository is clean; every broken file gives its one finding.
check demo-clean 0 "$demo" validate
check broken-all 1 "$broken" validate
for d in "$broken"/exceptions/*/; do
	f=$(find "$d" -name 'EXC-*.yaml' | LC_ALL=C sort | tail -n 1) # SX120: the later duplicate
	rel=${f#"$broken"/}
	name=$(basename "$d")
	check "broken-$name" 1 "$broken" validate "$rel"
	expect_grep "broken-$name" "\[${name%%-*}\]"
done
check broken-json 1 "$broken" validate --format json exceptions/SX110-unknown-key/EXC-9110.yaml
check broken-github 1 "$broken" validate --format github exceptions/SX102-duplicate-key/EXC-9102.yaml
check broken-other-file 0 "$broken" validate exceptions/SX999-none.yaml
for fmt in sarif junit markdown; do
	check "broken-$fmt" 1 "$broken" validate --format "$fmt" exceptions/SX121-unknown-person/EXC-9121.yaml
done
"$secex" -C "$broken" validate --format sarif >"$tmp/sarif.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0"; assert len(d["runs"][0]["results"])>=15' "$tmp/sarif.json" \
	&& pass=$((pass + 1)) || { echo "FAIL sarif: not SARIF 2.1.0 with every finding"; fail=$((fail + 1)); }

# Usage errors exit 2 with a message that says what to do.
check usage-unknown-option 2 "$demo" validate --frobnicate
check usage-unknown-command 2 "$demo" frobnicate
check usage-bad-format 2 "$demo" validate --format xml
check usage-no-repo 2 "$tmp" validate
check help-validate 0 "$demo" validate --help
expect_grep help-validate "--rev REV"
check help-codes 0 "$demo" help codes
expect_grep help-codes "SX409"

# init writes a working repository and refuses to overwrite it.
mkdir -p "$tmp/new"
check init 0 "$tmp/new" init
check init-validates 0 "$tmp/new" validate
check init-again 2 "$tmp/new" init

# validate --schema on any files; a missing file is a finding, the run goes on.
check schema-mode 1 "$broken" validate --schema "$src/schemas/exception.schema.json" \
	exceptions/SX110-wrong-type/EXC-9111.yaml exceptions/SX121-unknown-person/EXC-9121.yaml missing.yaml

# Hostile input: each ends in one clear finding, fast, with no sanitizer report.
hostile="$tmp/hostile"
mkdir -p "$hostile/exceptions" "$hostile/.secex"
cp "$demo/.secex/"*.yaml "$hostile/.secex/"
head -c $((50 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$hostile/exceptions/EXC-0001.yaml"
python3 - "$hostile/exceptions" <<'PY'
import sys
d = sys.argv[1]
open(d + "/EXC-0002.yaml", "w").write("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    "%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n" % ((chr(98 + i),) * 2 + (chr(97 + i),) * 9) for i in range(8)))
open(d + "/EXC-0003.yaml", "w").write("[" * 10000 + "]" * 10000)
open(d + "/EXC-0004.yaml", "wb").write(bytes(range(256)) * 64)
open(d + "/EXC-0005.yaml", "w").write("")
open(d + "/EXC-0006.json", "w").write("{" * 10000)
PY
ln -s /etc/passwd "$hostile/exceptions/EXC-0007.yaml"
check hostile 1 "$hostile" validate

# --rev reads a commit's tree without a checkout: a broken working tree does not matter.
git init -q "$tmp/rev"
cp -r "$demo/.secex" "$demo/exceptions" "$tmp/rev/"
git -C "$tmp/rev" add -A
git -C "$tmp/rev" -c user.name=t -c user.email=t@example.com commit -qm demo
echo "id: [" >"$tmp/rev/exceptions/EXC-0001.yaml"
check rev-clean 0 "$tmp/rev" validate --rev HEAD
check rev-worktree 1 "$tmp/rev" validate
check rev-unknown 2 "$tmp/rev" validate --rev no-such-branch

# health and list on the demo at a fixed date: exactly the planted problems
check health-demo 1 "$demo" health --today 2026-11-22
check health-demo-json 1 "$demo" health --today 2026-11-22 --format json
check health-demo-later 1 "$demo" health --today 2027-03-01 --fail-on warning
check health-demo-warnings-pass 0 "$demo" health --today 2026-06-01 --fail-on error
check list-demo 0 "$demo" list --today 2026-11-22
check list-expiring 0 "$demo" list --expiring --today 2026-11-22
check list-expired-or-expiring 0 "$demo" list --expired --expiring --today 2026-11-22
check list-owner-json 0 "$demo" list --owner hana --status approved --format json
check list-bad-format 2 "$demo" list --format xml
