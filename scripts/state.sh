#!/usr/bin/env bash
# Keep the state directory between scheduled runs as the single commit of a dedicated branch.
#   state.sh restore DIR   fetch the branch's files into DIR; if they are missing or damaged,
#                          rebuild DIR from the archive the published site carries
#   state.sh save DIR      replace the branch with one commit holding DIR
# One commit, force-pushed: the repository does not grow with every run, and unlike the
# Actions cache the state is never evicted. A lost state is never silently replaced by an
# empty one: with no branch and no published archive (the very first run) it starts empty;
# with a branch whose state is damaged and no archive to rebuild from, it fails.
set -euo pipefail
action=${1:?usage: state.sh restore|save DIR}
dir=${2:?usage: state.sh restore|save DIR}
branch=${STATE_BRANCH:-digest-state}
digest=${DIGEST:-.venv/bin/digest}
config=${CONFIG:-sources.toml}
mkdir -p "$dir"
case "$action" in
  restore)
    had_branch=no
    if git fetch --depth=1 origin "$branch" 2>/dev/null; then
      had_branch=yes
      git archive FETCH_HEAD | tar -x -C "$dir"
      echo "state restored from branch $branch"
    fi
    if "$digest" check --state "$dir"; then
      exit 0
    fi
    echo "state missing or damaged: rebuilding it from the published site's archive"
    if "$digest" restore --config "$config" --state "$dir" --from site --force; then
      exit 0
    fi
    if [ "$had_branch" = yes ]; then
      echo "::error::the state branch $branch is damaged and no published archive could be read" >&2
      exit 1
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    echo "no state branch and no published archive: first run, starting with an empty state"
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
