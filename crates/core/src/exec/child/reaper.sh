# The reaper of codex-core (see reaper.rs): started once by a process that runs commands, it
# outlives that process and kills what the process leaves running, however it ends (exit,
# signal, SIGKILL). It reads lines on stdin, whose other end only that process holds:
#   + PID   the command PID started; it leads its own process group
#   - PID   PID was reaped and its group is empty: forget it
#   ~ PID   PID was reaped but its group lives on: remember the group by its members
#   k PID   kill PID, its group and its descendants now, and forget it
# At EOF (the process is gone) it kills every command still running, with its group and
# descendants, and every remembered group that still holds a process it was remembered by.

running=' '
lingering=''

# proc_stat PID: sets state, ppid, pgrp and start (its start time) from /proc/PID/stat.
proc_stat() {
  read -r line 2>/dev/null <"/proc/$1/stat" || return 1
  # The fields after the command name, which may hold spaces and parentheses itself.
  set -- ${line##*) }
  state=$1 ppid=$2 pgrp=$3 start=${20}
}

# kill_tree GROUP: stops every process of GROUP and every descendant of a stopped process,
# then kills them all. A stopped process cannot fork, but a signal takes effect only after
# kill returns, so a fork may still complete: each round first makes sure that everything
# found so far has stopped, and only then looks for new processes; it ends when a look finds
# none. Descendants count whatever group or session they moved to.
kill_tree() {
  local group=$1 tree=' ' more settled dir pid rounds=0
  kill -s STOP -- "-$group" 2>/dev/null
  while [ $rounds -lt 200 ]; do
    rounds=$((rounds + 1))
    settled=1
    for pid in $tree; do
      proc_stat "$pid" || continue
      # Not stopped yet, or resumed (SIGCONT) since: stopped again.
      case $state in [TtZX]) ;; *) settled='' && kill -s STOP "$pid" 2>/dev/null ;; esac
    done
    more=''
    for dir in /proc/[0-9]*; do
      pid=${dir#/proc/}
      case $tree in *" $pid "*) continue ;; esac
      proc_stat "$pid" || continue
      case $tree in
        *" $ppid "*) more="$more $pid" ;;
        *) [ "$pgrp" = "$group" ] && more="$more $pid" ;;
      esac
    done
    [ -n "$more" ] || { [ -n "$settled" ] && break; continue; }
    kill -s STOP $more 2>/dev/null
    tree="$tree${more# } "
  done
  kill -s KILL -- "-$group" $tree 2>/dev/null
}

forget() {
  case $running in *" $1 "*) running="${running%%" $1 "*} ${running#*" $1 "}" ;; esac
}

# remember GROUP: its live processes now, as "GROUP PID:START..." (a pid with its start time
# names one process, never a later one that reuses the number).
remember() {
  local who='' dir pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    proc_stat "$pid" && [ "$pgrp" = "$1" ] && [ "$state" != Z ] && who="$who $pid:$start"
  done
  [ -z "$who" ] || lingering="$lingering$1$who
"
}

# still_ours GROUP PID:START...: whether one of these processes still lives in GROUP. The
# group's number may name another group once all of ours are gone, never while one remains.
still_ours() {
  local group=$1 id
  shift
  for id in "$@"; do
    proc_stat "${id%:*}" && [ "$start" = "${id#*:}" ] && [ "$pgrp" = "$group" ] &&
      [ "$state" != Z ] && return 0
  done
  return 1
}

# The process that started us, whose exit we wait for (see below).
proc_stat $$ && starter=$ppid
while read -r op pid; do
  case $op in
    +) running="$running$pid " ;;
    -) forget "$pid" ;;
    '~') forget "$pid"; remember "$pid" ;;
    k) forget "$pid"; kill_tree "$pid" ;;
  esac
done
for pid in $running; do
  # Until the kernel has handed the command to a new parent, the exit of the process that
  # started us is under way; a group stopped then would be orphaned by it with a stopped member,
  # which makes the kernel send the group SIGHUP and SIGCONT (job control) — killing the
  # command before its descendants could be found.
  tries=0
  while proc_stat "$pid" && [ "$ppid" = "$starter" ] && [ $tries -lt 10000 ]; do
    tries=$((tries + 1))
  done
  kill_tree "$pid"
done
printf '%s' "$lingering" | while read -r group ids; do
  still_ours "$group" $ids && kill_tree "$group"
done
