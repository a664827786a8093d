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
# outside a repository it refuses; in one, the git user is the first admin, with their key
mkdir -p "$tmp/new"
check init-no-repo 2 "$tmp/new" init
git init -q "$tmp/new"
git -C "$tmp/new" config user.name "Ada Lovelace"
git -C "$tmp/new" config user.email Ada.Lovelace@example.com
initkey="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop"
check init 0 "$tmp/new" init --key "$initkey"
grep -qxF "      - $initkey" "$tmp/new/.secex/people.yaml" && grep -qx "  - id: ada.lovelace" "$tmp/new/.secex/people.yaml" &&
	pass=$((pass + 1)) || { echo "FAIL init: the roster lacks the git user and their key"; cat "$tmp/new/.secex/people.yaml"; fail=$((fail + 1)); }
check init-validates 0 "$tmp/new" validate
check init-again 2 "$tmp/new" init
mkdir -p "$tmp/new-git" "$tmp/home"
printf '[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n' >"$tmp/home/.gitconfig"
HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home" check init-git-init 0 "$tmp/new-git" init --git-init --key "$initkey"
[ -d "$tmp/new-git/.git" ] && pass=$((pass + 1)) || { echo "FAIL init --git-init: no repository"; fail=$((fail + 1)); }
# an SSH signing key from git's configuration (gpg.format ssh, user.signingkey as a file)
mkdir -p "$tmp/new-ssh"
git init -q "$tmp/new-ssh"
echo "$initkey" >"$tmp/new-ssh.pub"
git -C "$tmp/new-ssh" config gpg.format ssh
git -C "$tmp/new-ssh" config user.signingkey "$tmp/new-ssh.pub"
git -C "$tmp/new-ssh" config user.name "Ada Lovelace"
git -C "$tmp/new-ssh" config user.email ada@example.com
(cd "$tmp/new-ssh" && "$secex" init >/dev/null 2>&1)
grep -qxF "      - $initkey" "$tmp/new-ssh/.secex/people.yaml" && pass=$((pass + 1)) ||
	{ echo "FAIL init: user.signingkey's key is not in the roster"; fail=$((fail + 1)); }

# help explains one code; list filters that name nothing are errors with a suggestion
check help-code 0 "$demo" help SX209
check help-code-lower 0 "$demo" help sx112
check help-code-unknown 2 "$demo" help SX999
check help-help 0 "$demo" help --help
check list-bad-status 2 "$demo" list --status aproved
check list-bad-priority 2 "$demo" list --priority hgh
check list-bad-owner 2 "$demo" list --owner omarr
check list-bad-owner-name 2 "$demo" list --owner "Omar Haddad"
check list-bad-status-far 2 "$demo" list --status open
check list-bad-priority-far 2 "$demo" list --priority urgent

# one run shows every problem: people and levels next to schema errors; a tab named; an
# uppercase .YAML a warning; dates and durations say what to write
msgs="$tmp/msgs"
mkdir -p "$msgs/exceptions" "$msgs/.secex"
cp "$demo/.secex/"*.yaml "$msgs/.secex/"
sed -e 's/^risk_owner: .*/risk_owner: omarr/' -e 's/^priority: .*/priority: hgh/' -e 's/^title: .*/title: 5/' \
	-e 's/^due_date: .*/due_date: 2027-1-5/' "$demo/exceptions/EXC-0001.yaml" >"$msgs/exceptions/EXC-0001.yaml"
printf 'id: EXC-0002\n\ttitle: x\n' >"$msgs/exceptions/EXC-0002.yaml"
cp "$demo/exceptions/EXC-0003.yaml" "$msgs/exceptions/EXC-0003.YAML"
check messages 1 "$msgs" validate
# a departed person's work goes to the first active manager up the chain (tomas has left too)
mgr="$tmp/manager"
cp -r "$demo" "$mgr"
python3 - "$mgr/.secex/people.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"(- id: tomas\n(?:    .*\n)*?    status: )active\n", r"\1departed\n    departed: 2026-10-01\n", s)
open(p, "w").write(s)
PY
check health-manager-chain 1 "$mgr" health --today 2026-11-22
expect_grep health-manager-chain "assignee 'noor' has left; 'lena', the first active manager above them must reassign it"
sed -i '0,/sla: 7d/s//sla: 7days/' "$msgs/.secex/policy.yaml"
check messages-duration 1 "$msgs" validate .secex/policy.yaml

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

# --branches: a request that exists only on another branch is listed, marked with its branch
# and who must still approve it there; a pattern that matches no branch adds nothing
br="$tmp/branches"
git init -q -b main "$br"
cp -r "$demo/.secex" "$demo/exceptions" "$br/"
git -C "$br" add -A
git -C "$br" -c user.name=t -c user.email=t@example.com commit -qm demo
git -C "$br" checkout -qb request/new
sed -e 's/^id: .*/id: EXC-0042/' -e 's/^title: .*/title: A request on a branch/' "$br/exceptions/EXC-0008.yaml" >"$br/exceptions/EXC-0042.yaml"
git -C "$br" add -A
git -C "$br" -c user.name=t -c user.email=t@example.com commit -qm request
git -C "$br" checkout -q main
check list-branches 0 "$br" list --branches --status requested
check list-branches-json 0 "$br" list --branches=request/* --owner omar --format json
check list-branches-none 0 "$br" list --branches=release/* --status requested
check report-branches 0 "$br" report --branches --owner omar
expect_grep report-branches "EXC-0042\*\*: A request on a branch \(medium extension, requested, due 2027-02-26, only on branch request/new\)"
(cd "$br" && "$secex" metrics --branches) >"$tmp/metrics-branches.out" 2>&1
grep -qx "  EXC-0042 on branch request/new; waits for group 1 (engineering-manager): eugene, kwame, omar; group 2 (security-manager): margo, priya, lena, tomas" "$tmp/metrics-branches.out" &&
	grep -qx "awaiting approval on other branches (not counted above): 1" "$tmp/metrics-branches.out" && pass=$((pass + 1)) ||
	{ echo "FAIL metrics --branches"; cat "$tmp/metrics-branches.out"; fail=$((fail + 1)); }
check metrics-branches-csv 2 "$br" metrics --branches --format csv

# status exits 1 while an exception waits for approvals, 0 for one that does not; a shallow
# clone is named, not judged
check status-waiting 1 "$tmp/rev" status EXC-0008
check status-withdrawn 0 "$tmp/rev" status EXC-0010
git clone -q --depth 1 "file://$tmp/rev" "$tmp/shallow" 2>/dev/null
check status-shallow 3 "$tmp/shallow" status EXC-0008

# health and list on the demo at a fixed date: exactly the planted problems
check health-demo 1 "$demo" health --today 2026-11-22
check health-demo-json 1 "$demo" health --today 2026-11-22 --format json
check health-demo-later 1 "$demo" health --today 2027-03-01 --fail-on warning
check health-demo-warnings-pass 0 "$demo" health --today 2026-06-01 --fail-on error
check list-demo 0 "$demo" list --today 2026-11-22
check list-expiring 0 "$demo" list --expiring --today 2026-11-22
check list-expired-or-expiring 0 "$demo" list --expired --expiring --today 2026-11-22
# The day comes from --today, else SECEX_TODAY, else the clock; a bad SECEX_TODAY says so.
SECEX_TODAY=2026-11-22 check list-demo-env 0 "$demo" list
SECEX_TODAY=yesterday check today-env-bad 2 "$demo" list
SECEX_TODAY=yesterday check today-option-wins 0 "$demo" list --today 2026-11-22
check list-owner-json 0 "$demo" list --owner hana --status approved --format json
check list-bad-format 2 "$demo" list --format xml

# report: the weekly digest of a demo copy outside git (approvals read as written, and said so)
rdemo="$tmp/report-demo"
cp -r "$demo" "$rdemo"
# expect_file NAME FILE: FILE equals expected/NAME byte for byte (blessed like check's output)
expect_file() {
	[ -n "${SECEX_BLESS:-}" ] && cp "$2" "$exp/$1"
	if cmp -s "$exp/$1" "$2"; then pass=$((pass + 1)); else
		echo "FAIL $1: $2 differs from expected/$1"
		diff -u "$exp/$1" "$2" | head -40
		fail=$((fail + 1))
	fi
}
check report-markdown 0 "$rdemo" report --today 2026-11-22
check report-html 0 "$rdemo" report --today 2026-11-22 --format html
check report-json 0 "$rdemo" report --today 2026-11-22 --format json
check report-slack 0 "$rdemo" report --today 2026-11-22 --format slack
check report-email 0 "$rdemo" report --today 2026-11-22 --format email --out "$tmp/report-mail" --from "Security Program <digest@lumenledger.example>"
# The Message-ID's last part is random: each message is new, a same-day resend too.
grep -ahE '^Message-ID: <secex\.2026-11-22\.(hana|omar)\.[0-9a-f]{16}@lumenledger\.example>' \
	"$tmp/report-mail/hana.eml" "$tmp/report-mail/omar.eml" | sort -u | wc -l | grep -qx 2 && pass=$((pass + 1)) ||
	{ echo "FAIL report-email: Message-IDs not unique in the sender's domain"; fail=$((fail + 1)); }
for o in hana omar; do
	sed -i -E 's/^(Message-ID: <secex\.[^.]+\.[^.]+\.)[0-9a-f]{16}@/\1RANDOM@/' "$tmp/report-mail/$o.eml"
	expect_file "report-email-$o.eml" "$tmp/report-mail/$o.eml"
done
[ "$(ls "$tmp/report-mail")" = "$(printf 'hana.eml\nomar.eml')" ] && pass=$((pass + 1)) ||
	{ echo "FAIL report-email: owners with nothing to do got mail: $(ls "$tmp/report-mail")"; fail=$((fail + 1)); }
check report-owner 0 "$rdemo" report --today 2026-11-22 --owner hana
check report-nothing 0 "$rdemo" report --today 2026-11-22 --owner tomas --format json
check report-unknown-owner 2 "$rdemo" report --today 2026-11-22 --owner nobody
check report-bad-format 2 "$rdemo" report --format pdf
# A departed owner's report goes to their manager, who must name a new owner.
cp -r "$rdemo" "$tmp/report-departed"
sed -i '/^  - id: omar$/,/^  - id:/ s/^    status: active$/    status: departed/' "$tmp/report-departed/.secex/people.yaml"
check report-departed 0 "$tmp/report-departed" report --today 2026-11-22 --owner kwame
# In a repository the approvals are judged from history: unsigned commits count for nothing.
check report-judged 0 "$tmp/rev" report --rev HEAD --today 2026-11-22

# report --scan: the findings of real scanner reports (../shared, read where they are) that only
# an exception that no longer covers them covers (SX602), per owner, in every format. This
# history proves no approval, so each exception that says approved lapses; EXC-0003 expired,
# EXC-0005 is denied, EXC-0010 withdrawn, EXC-0011 closed and now kwame's, who has nothing else
# to do; EXC-0008's request still counts as pending and uncovered findings are not listed.
rs="$tmp/report-scan"
if "$src/tests/report/scan-demo" "$src" "$rs"; then
	reports=(scanners/trivy/alpine-310.json.golden scanners/grype/check_all_fields.json
		scanners/checkov/checkov-report-severity.json)
	scans=()
	for r in "${reports[@]}"; do scans+=(--scan "$r"); done
	check report-scan-markdown 0 "$rs" report --today 2026-11-22 "${scans[@]}"
	check report-scan-html 0 "$rs" report --today 2026-11-22 "${scans[@]}" --format html
	check report-scan-json 0 "$rs" report --today 2026-11-22 "${scans[@]}" --format json
	check report-scan-slack 0 "$rs" report --today 2026-11-22 "${scans[@]}" --format slack --owner kwame
	check report-scan-email 0 "$rs" report --today 2026-11-22 "${scans[@]}" --format email --out "$tmp/report-scan-mail" \
		--from digest@lumenledger.example
	sed -i -E 's/^(Message-ID: <secex\.[^.]+\.[^.]+\.)[0-9a-f]{16}@/\1RANDOM@/' "$tmp/report-scan-mail/kwame.eml"
	expect_file report-scan-email-kwame.eml "$tmp/report-scan-mail/kwame.eml"
	# the exact finding, exception and owner of each, and the same SX602 findings as 'secex scan'
	(cd "$rs" && "$secex" scan --format json "${reports[@]}" >"$tmp/report-scan-verdicts.json")
	python3 - "$tmp/report-scan-json.out" "$tmp/report-scan-verdicts.json" <<'PY' && pass=$((pass + 1)) || { echo "FAIL report-scan-json: the findings no longer covered"; fail=$((fail + 1)); }
import json, sys
report = json.load(open(sys.argv[1]))
got = [(i["finding"]["id"], i["id"], o["owner"]) for o in report["owners"] for i in o["items"]
       if i["kind"] == "findings_no_longer_covered"]
assert got == [("CVE-2021-32626", "EXC-0004", "hana"), ("CKV_GCP_29", "EXC-0011", "kwame"),
               ("CVE-2019-1549", "EXC-0003", "omar"), ("CVE-2021-33574", "EXC-0005", "omar"),
               ("CVE-2019-1551", "EXC-0010", "omar")], got
assert [o["counts"]["findings_no_longer_covered"] for o in report["owners"]] == [1, 1, 3, 0], report["owners"]
places = sorted((i["finding"]["report"], i["finding"]["line"], i["id"]) for o in report["owners"] for i in o["items"]
                if i["kind"] == "findings_no_longer_covered")
scan = sorted((f["file"], f["line"], f["exception"]) for f in json.load(open(sys.argv[2]))["findings"] if f["code"] == "SX602")
assert places == scan, (places, scan)
PY
	# without --scan the digest of this tree has no such section and no new key
	check report-scan-none 0 "$rs" report --today 2026-11-22 --owner kwame --format json
	# a report that cannot be read stops it: exit 2 with scan's SX606 line, nothing written
	head -c 300 "$rs/scanners/trivy/alpine-310.json.golden" >"$rs/truncated.json"
	check report-scan-unreadable 2 "$rs" report --today 2026-11-22 --scan scanners/trivy/alpine-310.json.golden \
		--scan no-such-report.json --scan truncated.json --out "$tmp/report-scan-out"
	[ ! -e "$tmp/report-scan-out" ] && pass=$((pass + 1)) || { echo "FAIL report-scan-unreadable wrote $tmp/report-scan-out"; fail=$((fail + 1)); }
	check report-scan-wrong-format 2 "$rs" report --today 2026-11-22 --scan scanners/trivy/alpine-310.json.golden --input-format grype
	check report-scan-input-format-alone 2 "$rs" report --today 2026-11-22 --input-format trivy
	# without the history to judge approvals, findings are not judged at all
	check report-scan-no-history 3 "$rdemo" report --today 2026-11-22 --scan "$rs/scanners/checkov/checkov-report-severity.json"
fi

# export: every format of the demo at a fixed date. This tree's history proves no approval
# (its commits hold no .secex/ at the top), so the scanner formats suppress nothing and name
# each exception that only says approved; tests/demo exports a signed history.
for f in csv json trivyignore grype snyk openvex; do
	check "export-$f" 0 "$demo" export --format "$f" --today 2026-11-22
done
check export-nothing-due 0 "$demo" export --format snyk --today 2028-01-01
check export-unknown-format 2 "$demo" export --format xml
check export-no-format 2 "$demo" export
check export-bad-today 2 "$demo" export --format csv --today soon
"$secex" -C "$demo" export --format csv --today 2026-11-22 >"$tmp/export.csv"
python3 - "$tmp/export.csv" <<'PY' && pass=$((pass + 1)) || { echo "FAIL export-csv: not RFC 4180 with 9 columns"; fail=$((fail + 1)); }
import csv, sys
data = open(sys.argv[1], newline="").read()
assert data.count("\r\n") == 13 and data.count("\n") == 13, "CRLF line ends"
rows = list(csv.reader(data.splitlines()))
assert len(rows) == 13 and all(len(r) == 9 for r in rows), rows
PY
# import: a tracker of the demo's people, shown with --dry-run (nothing is written)
idemo="$tmp/import-demo"
cp -r "$demo" "$idemo"
printf '%s\r\n' 'Priority,Status,Decision date,Type of request,Description,Risk Owner,Risk Approvers,Exception Link,Notes' \
	'High,Approved,10/3/2026,Risk extension,Delay the libxml2 upgrade of invoice-renderer,Omar Haddad,Omar Haddad and lena,SEC-2400,"Waits for the renderer rewrite, due in December"' \
	'Low,Pending,2026-11-20,Accept risk without fix,Accept verbose server banners on the status page,hana@lumenledger.example,Lee Carter,,' \
	'Medium,Approved,11/1/2026,Accept risk without fix,"Delay the OpenSSH regreSSHion patch (CVE-2024-6387) on the bastion hosts until the SSM migration",Omar Haddad,Dana,SEC-2064,again' \
	'Severe,Pending,,Risk extension,Unknown level,Omar Haddad,,,' >"$idemo/tracker.csv"
check import-dry-run 1 "$idemo" import --dry-run --today 2026-11-22 tracker.csv
[ "$(ls "$idemo/exceptions" | wc -l)" = 12 ] && pass=$((pass + 1)) || { echo "FAIL import-dry-run wrote files"; fail=$((fail + 1)); }
check import-no-file 2 "$idemo" import
check import-missing-file 2 "$idemo" import no-such.csv

# Hostile schemas (issue 11), through --schema and a policy's exception_schema: a $id that
# resolves to nothing (once a heap over-read), a DAG of 2^30 $ref paths (once exponential) and
# a $ref loop, each fast with one clear finding or none.
hs="$tmp/hostile-schema"
mkdir -p "$hs/exceptions" "$hs/.secex"
cp "$demo/.secex/"*.yaml "$hs/.secex/"
cp "$demo/exceptions/EXC-0001.yaml" "$hs/exceptions/"
printf '{"$id": "..", "type": "object"}\n' >"$hs/dotdot.json"
printf '[1]\n' >"$hs/list.yaml"
check schema-id-dotdot 1 "$hs" validate --schema dotdot.json exceptions/EXC-0001.yaml list.yaml
python3 - "$hs" <<'PY'
import json, sys
d = {"d%d" % i: {"allOf": [{"$ref": "#/$defs/d%d" % (i + 1)}, {"$ref": "#/$defs/d%d" % (i + 1)}]} for i in range(30)}
d["d30"] = {"properties": {"id": {"type": "string", "pattern": "^EXC-"}}}
json.dump({"$ref": "#/$defs/d0", "$defs": d}, open(sys.argv[1] + "/dag.json", "w"))
json.dump({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
          open(sys.argv[1] + "/loop.json", "w"))
PY
check schema-dag 0 "$hs" validate --schema dag.json exceptions/EXC-0001.yaml
check schema-loop 1 "$hs" validate --schema loop.json exceptions/EXC-0001.yaml
cp "$hs/dotdot.json" "$hs/dag.json" "$hs/.secex/"
printf 'exception_schema: .secex/dotdot.json\n' >>"$hs/.secex/policy.yaml"
check policy-schema-id-dotdot 0 "$hs" validate
sed -i 's|^exception_schema: .secex/dotdot.json$|exception_schema: .secex/dag.json|' "$hs/.secex/policy.yaml"
check policy-schema-dag 0 "$hs" validate
