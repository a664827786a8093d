# bash completion for secex. Commands and options come from secex's own help output,
# so they never drift from the option tables.
_secex() {
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-C) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ "$prev" = "-C" ]; then
		COMPREPLY=($(compgen -d -- "$cur"))
		return
	fi
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$(secex help 2>/dev/null | awk '/^commands:/{f=1;next} /^$/{f=0} f{print $1}') -C --no-owner-check --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--format)
		if [ "$cmd" = export ]; then
			COMPREPLY=($(compgen -W "csv json trivyignore grype snyk openvex allowed-signers" -- "$cur"))
		elif [ "$cmd" = metrics ]; then
			COMPREPLY=($(compgen -W "text json csv html" -- "$cur"))
		elif [ "$cmd" = report ]; then
			COMPREPLY=($(compgen -W "markdown html json email slack" -- "$cur"))
		elif [ "$cmd" = status ]; then
			COMPREPLY=($(compgen -W "text json markdown" -- "$cur"))
		elif [ "$cmd" = show ]; then
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "text json sarif github junit markdown" -- "$cur"))
		fi
		return ;;
	--fail-on) COMPREPLY=($(compgen -W "error warning note" -- "$cur")); return ;;
	--dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--rev | --base | --head | --since | --trust-root)
		COMPREPLY=($(compgen -W "$(git for-each-ref --format='%(refname:short)' 2>/dev/null) HEAD" -- "$cur"))
		return ;;
	--interval) COMPREPLY=($(compgen -W "week month" -- "$cur")); return ;;
	--input-format) COMPREPLY=($(compgen -W "sarif trivy grype osv snyk npm pip-audit checkov" -- "$cur")); return ;;
	--fail-on-severity) COMPREPLY=($(compgen -W "critical high medium low" -- "$cur")); return ;;
	--from-scan | --scan) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--type) COMPREPLY=($(compgen -W "extension acceptance" -- "$cur")); return ;;
	--priority)
		COMPREPLY=($(compgen -W "$(awk '/^levels:/ { f = 1; next } /^[^ #]/ { f = 0 } f && /^  [a-z][a-z0-9-]*:/ { sub(":", "", $1); print $1 }' \
			"$(git rev-parse --show-toplevel 2>/dev/null || echo .)/.secex/policy.yaml" 2>/dev/null)" -- "$cur"))
		return ;;
	--requestor | --risk-owner | --assignee)
		COMPREPLY=($(compgen -W "$(sed -n 's/^ *- *{* *id: *\([a-z0-9._-]*\).*/\1/p' \
			"$(git rev-parse --show-toplevel 2>/dev/null || echo .)/.secex/people.yaml" 2>/dev/null)" -- "$cur"))
		return ;;
	--owner) COMPREPLY=($(compgen -W "$(secex list 2>/dev/null | awk '{ print $6 }' | sort -u)" -- "$cur")); return ;;
	--out) [ "$cmd" = report ] && { COMPREPLY=($(compgen -d -- "$cur")); return; } ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(secex "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	if [ "$cmd" = help ]; then
		if [ "$prev" = help ]; then
			COMPREPLY=($(compgen -W "$(secex help 2>/dev/null | awk '/^commands:/{f=1;next} /^$/{f=0} f{print $1}') codes" -- "$cur"))
			[[ $cur == SX* || $cur == sx* ]] && COMPREPLY+=($(compgen -W "$(secex help codes 2>/dev/null | awk '{ print $1 }')" -- "${cur^^}"))
		fi
		return
	fi
	if [ "$cmd" = import ]; then
		COMPREPLY=($(compgen -f -X '!*.[cC][sS][vV]' -- "$cur") $(compgen -d -- "$cur"))
		return
	fi
	case $cmd in approve | status | show | review | withdraw | close | reopen) true ;; *) false ;; esac
	if [ $? -eq 0 ]; then
		COMPREPLY=($(compgen -W "$(secex list 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _secex secex
