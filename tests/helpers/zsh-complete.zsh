# zsh -f zsh-complete.zsh FPATH_DIR OUT_DIR LINE...: runs zsh's real completion system on a pty (an
# interactive zsh, compinit, the _brick of FPATH_DIR) and writes what a Tab after each LINE offers to
# OUT_DIR/N (N = 1, 2, ...; one match a line). After Valodim's zsh-capture-completion: compadd is
# wrapped to record its matches; a comppostfuncs hook marks the end of each completion.
zmodload zsh/zpty || exit 2
fpath_dir=$1 out=$2
shift 2
zpty z zsh -f -i
zpty -w z "fpath=($fpath_dir \$fpath); autoload -U compinit; compinit -u -D; PROMPT=''; RPROMPT=''"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z 'compadd () {
  [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]] && { builtin compadd "$@"; return $? }
  typeset -a __hits
  builtin compadd -A __hits "$@"
  local r=$?
  (( $#__hits )) && print -rl -- ${^__hits} >> $ZCAP_OUT
  return r
}'
zpty -w z '_zcap_end() { print -r -- "<END>" >> $ZCAP_OUT }'
zpty -w z "print -r -- __REA""DY__"
zpty -r z reply '*__READY__*' || exit 3
n=0
for line in "$@"; do
  (( n++ ))
  : > $out/$n
  zpty -w z "ZCAP_OUT=$out/$n; comppostfuncs=(_zcap_end)"  # zsh empties comppostfuncs after each use
  zpty -w -n z "$line"$'\t'
  for i in {1..200}; do
    [[ $(<$out/$n) == *"<END>" ]] && break
    sleep 0.05
  done
  [[ $(<$out/$n) == *"<END>" ]] || { print -u2 "no completion for: $line"; exit 4 }
  zpty -w -n z $'\x15'  # kill the line
done
zpty -d z
