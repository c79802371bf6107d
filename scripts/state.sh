#!/usr/bin/env bash
# Keep the state directory between scheduled runs as the single commit of a dedicated branch.
#   state.sh restore DIR   fetch the branch's files into DIR (an empty DIR if the branch is new)
#   state.sh save DIR      replace the branch with one commit holding DIR
# One commit, force-pushed: the repository does not grow with every run, and unlike the
# Actions cache the state is never evicted.
set -euo pipefail
action=${1:?usage: state.sh restore|save DIR}
dir=${2:?usage: state.sh restore|save DIR}
branch=${STATE_BRANCH:-digest-state}
mkdir -p "$dir"
case "$action" in
  restore)
    if git fetch --depth=1 origin "$branch" 2>/dev/null; then
      git archive FETCH_HEAD | tar -x -C "$dir"
      echo "state restored from branch $branch"
    else
      echo "no state branch $branch yet: starting with an empty state"
    fi
    ;;
  save)
    tmp=$(mktemp -d)
    git init -q "$tmp"
    cp -a "$dir"/. "$tmp"/
    git -C "$tmp" add -A
    git -C "$tmp" -c user.name="syndigest" -c user.email="syndigest@users.noreply.github.com" \
      commit -q -m "digest state $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    # Push from the checkout, whose credentials the checkout action set up.
    git fetch -q "$tmp" HEAD
    git push -q --force origin "FETCH_HEAD:refs/heads/$branch"
    rm -rf "$tmp"
    echo "state saved to branch $branch"
    ;;
  *) echo "usage: state.sh restore|save DIR" >&2; exit 2 ;;
esac
