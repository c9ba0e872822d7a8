# Drives the generated bash completion as readline would, for the tests:
#   . complete.bash COMPLETION_FILE; pz_complete 'pz state show '
# prints the candidates, one a line. Words split at blanks and at '='
# (bash's COMP_WORDBREAKS), the cursor at the end of the line.
. "$1"
pz_complete() {
	local line=$1 w
	COMP_WORDS=()
	for w in $(printf '%s' "$line" | sed 's/=/ = /g'); do
		COMP_WORDS+=("$w")
	done
	[[ $line == *' ' || $line == *= ]] && [[ $line != *= ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_pz
	((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
	return 0
}
