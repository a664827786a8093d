# Shared by the real-repository tests: people with real SSH and OpenPGP keys, a repository
# template with a roster holding their keys, signed commits as any of them, and checks of
# secex's JSON findings. Source it after setting $secex and $src.

tmp=$(mktemp -d)
trap 'gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
export HOME="$tmp/home" GNUPGHOME="$tmp/gnupg" NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1 SECEX_TODAY=2026-11-20
unset SECEX_TRUST_ROOT GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME" "$GNUPGHOME" "$tmp/keys"
chmod 700 "$GNUPGHOME"
git config --global init.defaultBranch main
git config --global advice.detachedHead false
keys="$tmp/keys"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# make_ssh NAME [TYPE BITS]: an SSH key pair in $keys/NAME
make_ssh() {
	ssh-keygen -q -t "${2:-ed25519}" ${3:+-b "$3"} -N '' -C "$1@test" -f "$keys/$1"
	echo ssh >"$keys/$1.kind"
}

# make_pgp NAME: an OpenPGP key in $GNUPGHOME, its fingerprint in $keys/NAME.fpr
make_pgp() {
	gpg --batch --quiet --passphrase "" --quick-gen-key "$1 <$1@example.com>" ed25519 sign never >/dev/null 2>&1
	gpg --batch --with-colons --list-keys "$1@example.com" 2>/dev/null | awk -F: '/^fpr:/ { print $10; exit }' >"$keys/$1.fpr"
	gpg --batch --armor --export "$(cat "$keys/$1.fpr")" 2>/dev/null >"$keys/$1.asc"
	echo openpgp >"$keys/$1.kind"
}

# key_yaml NAME: the roster `keys:` items for NAME, indented for a person entry
key_yaml() {
	if [ "$(cat "$keys/$1.kind")" = ssh ]; then
		printf '      - %s\n' "$(cut -d' ' -f1,2 "$keys/$1.pub")"
	else
		printf '      - openpgp: %s\n        public_key: |\n' "$(cat "$keys/$1.fpr")"
		sed 's/^/          /' "$keys/$1.asc"
	fi
}

# person_yaml ID ROLES STATUS [KEYOF]: one roster entry (KEYOF: whose key, default ID; - for none)
person_yaml() {
	printf '  - id: %s\n    name: %s\n    email: %s@example.com\n    roles: [%s]\n    status: %s\n' \
		"$1" "$1" "$1" "$2" "$3"
	if [ "${4:-$1}" = - ]; then
		printf '    keys: []\n'
	else
		printf '    keys:\n'
		key_yaml "${4:-$1}"
	fi
}

# git as a person, signing with their key when asked (-S)
as() {
	local who=$1
	shift
	local kind
	kind=$(cat "$keys/$who.kind" 2>/dev/null || echo none)
	local sign=()
	case $kind in
	ssh) sign=(-c gpg.format=ssh -c "user.signingkey=$keys/$who.pub") ;;
	openpgp) sign=(-c gpg.format=openpgp -c "user.signingkey=$(cat "$keys/$who.fpr")") ;;
	esac
	git -c "user.name=$who" -c "user.email=$who@example.com" "${sign[@]}" "$@"
}

# commit_as WHO MESSAGE: stage everything and commit, signed by WHO
commit_as() {
	git add -A && as "$1" commit -q -S --allow-empty -m "$2"
}

# commit_unsigned WHO MESSAGE
commit_unsigned() {
	git add -A && as "$1" commit -q --no-gpg-sign --allow-empty -m "$2"
}

# exception_yaml ID REQUESTOR RISK_OWNER [PRIORITY] [TYPE]: an exception file's text
exception_yaml() {
	local type=${5:-extension}
	cat <<EOF
id: $1
title: Delay the upgrade of a vulnerable library in service $1
type: $type
priority: ${4:-medium}
status: requested
requestor: $2
risk_owner: $3
assignee: $2
created: 2026-11-02
EOF
	[ "$type" = extension ] && echo "original_due_date: 2026-11-10"
	cat <<EOF
due_date: 2026-12-20
summary: A library with a known vulnerability stays in the service for a while longer.
justification: The fixed version needs a framework upgrade that is already planned.
impact:
  pros: [no rushed framework upgrade]
  cons: [the vulnerability stays exploitable until the upgrade]
EOF
	[ "$type" = extension ] && echo "remediation_plan: Upgrade the framework, then the library."
	return 0
}

# add_approval FILE BY DECISION ROLE: append an approval entry (approvals is the last block)
add_approval() { # FILE BY DECISION ROLE [DATE]
	grep -q '^approvals:' "$1" || echo 'approvals:' >>"$1"
	printf '  - by: %s\n    decision: %s\n    role: %s\n    date: %s\n' "$2" "$3" "$4" "${5:-2026-11-15}" >>"$1"
}

# set_field FILE FIELD VALUE
set_field() {
	sed -i "s|^$2: .*|$2: $3|" "$1"
}

# check_json FILE ASSERTION...: +CODE[:ID] must be there, -CODE[:ID] must not
check_json() {
	python3 "$src/tests/history/findings.py" "$@"
}

# expect WHAT FILE ASSERTION...: counts one test
expect() {
	local what=$1
	shift
	local out
	if out=$(check_json "$@" 2>&1); then ok; else bad "$what: $out"; fi
}

people_default() {
	person_yaml admin "secex-admin, security-engineer" active
	person_yaml alice engineering-manager active
	person_yaml bob security-manager active
	person_yaml carol engineering-manager active
	person_yaml dave security-engineer active
	person_yaml erin security-manager departed
	person_yaml mallory engineering-manager active
}

# make_people: every person's keys: bob OpenPGP, carol ECDSA P-256, mallory RSA, others ed25519
make_people() {
	local p
	for p in admin alice dave erin; do make_ssh "$p"; done
	make_ssh carol ecdsa 256
	make_ssh mallory rsa 3072
	make_pgp bob
}

# make_template DIR: a repository whose first commit (by admin, signed) holds the policy,
# the roster and an empty exceptions directory; pinned as the trust root
make_template() {
	git init -q "$1"
	(
		cd "$1" || exit 1
		"$secex" init >/dev/null
		sed -i 's/^admin_roles: .*/admin_roles: [secex-admin]/' .secex/policy.yaml
		{ echo "version: 1"; echo "people:"; people_default; } >.secex/people.yaml
		mkdir -p exceptions && touch exceptions/.keep
		commit_as admin "secex: policy and roster"
	)
}

# fresh NAME: a copy of the template to work in; cds into it
fresh() {
	rm -rf "$tmp/$1"
	cp -a "$tmp/template" "$tmp/$1"
	cd "$tmp/$1" || exit 1
	export SECEX_TRUST_ROOT
	SECEX_TRUST_ROOT=$(git rev-list --max-parents=0 HEAD)
}
