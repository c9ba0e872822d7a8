# Drives the generated zsh completion for the tests, with the
# completion system's functions replaced by ones that record the
# candidates: . complete.zsh _pz; pz_complete 'pz state show '
typeset -ga _got
compdef() { : }
compadd() {
	local -a a
	a=("$@")
	while [[ $a[1] == -* && $a[1] != -- ]]; do
		[[ $a[1] == -[PSJVXxdlo] ]] && shift a
		shift a
	done
	[[ $a[1] == -- ]] && shift a
	_got+=("${IPREFIX}"${^a})
}
_describe() {
	local -a a
	a=("${(@P)4}")
	_got+=("${(@)a%%:*}")
}
_files() { _got+=("<files${*:+ $*}>") }
compset() {
	if [[ $1 == -P && $2 == '*=' && $PREFIX == *=* ]]; then
		IPREFIX+=${PREFIX%%=*}=
		PREFIX=${PREFIX#*=}
	fi
}
source "$1"
pz_complete() {
	words=(${(z)1})
	[[ $1 == *' ' ]] && words+=('')
	CURRENT=${#words}
	PREFIX=${words[CURRENT]}
	IPREFIX=''
	_got=()
	_pz
	local c
	for c in "${_got[@]}"; do
		[[ $c == ${words[CURRENT]}* || $c == '<files'* ]] && print -r -- "$c"
	done
	return 0
}
