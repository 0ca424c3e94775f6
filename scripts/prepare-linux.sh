#!/bin/sh
# Make linux/ a git tree: the pristine 6.12.y source tagged "base", then patches/series on top, one
# commit per patch. Never discards a user's work: uncommitted changes or foreign commits stop it.
set -eu
. "$(dirname "$0")/lib.sh"

PATCHES=${PATCHES:-$TOP/patches}
SERIES=$PATCHES/series
# Commits this script made; lets a later run tell its own commits from a user's.
APPLIED_REF=refs/testbed/applied

git_l() {
	git -C "$LINUX_DIR" "$@"
}

check_version() {
	v=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$1/Makefile" | paste -sd.)
	[ "$v" = "$LINUX_SERIES" ] || die "$2 is Linux $v, the test bed needs $LINUX_SERIES.y"
}

commit_base() {
	# Debian's tarball ends its .gitignore with "ignore everything at the top level"; dropped so
	# that git sees new files (and the dirty check means something).
	if [ -f .gitignore ]; then
		sed -i '/^# Debian packaging: ignore everything/,$d' .gitignore
	fi
	git init -q
	git add -A -f
	GIT_AUTHOR_DATE=2000-01-01T00:00:00Z GIT_COMMITTER_DATE=2000-01-01T00:00:00Z git -c user.name=testbed -c user.email=testbed@localhost commit -q -m "Linux $(make -s kernelversion 2>/dev/null)" \
		-m "Imported from $1 by scripts/prepare-linux.sh."
	git tag base
}

create_tree() {
	tmp=$LINUX_DIR.tmp.$$
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp"
	if [ -d "$LINUX_SRC/.git" ] || [ -f "$LINUX_SRC/.git" ]; then
		check_version "$LINUX_SRC" "LINUX_SRC=$LINUX_SRC"
		note "cloning $LINUX_SRC"
		rmdir "$tmp"
		git clone -q --shared "$LINUX_SRC" "$tmp"
	elif [ -d "$LINUX_SRC" ]; then
		check_version "$LINUX_SRC" "LINUX_SRC=$LINUX_SRC"
		note "copying $LINUX_SRC"
		(cd "$LINUX_SRC" && tar -cf - --exclude=.git .) | (cd "$tmp" && tar -xf -)
		(cd "$tmp" && commit_base "$LINUX_SRC")
	elif [ -f "$LINUX_SRC" ]; then
		note "extracting $LINUX_SRC"
		tar -xf "$LINUX_SRC" -C "$tmp" --strip-components=1
		check_version "$tmp" "$LINUX_SRC"
		note "committing the pristine tree (about a minute)"
		(cd "$tmp" && commit_base "$LINUX_SRC")
	else
		die "no kernel source: $LINUX_SRC does not exist (run 'make deps', or set LINUX_SRC=<tree or tarball>)"
	fi
	mv "$tmp" "$LINUX_DIR"
	trap - EXIT
}

# Suites live in kunit/ and reach Kbuild through this link; it is ours, not a user change.
link_suites() {
	ln -sfn ../../kunit "$LINUX_DIR/mm/populate_test"
	ex=$(git_l rev-parse --git-path info/exclude)
	case $ex in /*) ;; *) ex=$LINUX_DIR/$ex ;; esac
	mkdir -p "$(dirname "$ex")"
	grep -qx '/mm/populate_test' "$ex" 2>/dev/null || echo '/mm/populate_test' >>"$ex"
}

patch_id() {
	git_l patch-id --stable | cut -d' ' -f1
}

# A patch is its diff and its message: a changed commit message alone also restacks linux/.
commit_key() {
	printf '%s %s\n' "$(git_l show "$1" | patch_id)" \
		"$(git_l log -1 --format=%B "$1" | git stripspace | git hash-object --stdin)"
}

file_key() {
	tmp_msg=$(mktemp)
	subject=$(git mailinfo "$tmp_msg" /dev/null <"$1" | sed -n 's/^Subject: //p')
	# Exported with diff.suppressBlankEmpty: give blank context lines back their space first.
	printf '%s %s\n' "$(sed 's/^$/ /' "$1" | patch_id)" \
		"$(printf '%s\n\n%s\n' "$subject" "$(cat "$tmp_msg")" | git stripspace | git hash-object --stdin)"
	rm -f "$tmp_msg"
}

series() {
	[ -f "$SERIES" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$SERIES"
}

# git am and the base commit need an identity; a fresh machine has none.
if [ -z "$(git config user.email || true)" ]; then
	export GIT_COMMITTER_NAME=testbed GIT_COMMITTER_EMAIL=testbed@localhost
fi

[ -e "$LINUX_DIR" ] || create_tree
[ -d "$LINUX_DIR/.git" ] || [ -f "$LINUX_DIR/.git" ] || die "$LINUX_DIR exists but is not a git tree; move it away or make it one"
check_version "$LINUX_DIR" "$LINUX_DIR"
git_l rev-parse -q --verify HEAD >/dev/null || die "$LINUX_DIR has no commits"
link_suites

dirty=$(git_l status --porcelain --untracked-files=normal)
if [ -n "$dirty" ]; then
	echo "$dirty" | head -20 >&2
	die "linux/ has uncommitted changes (above); commit them and run 'make patches', or stash them. Nothing was touched."
fi

# The keys (diff and message) of the series, in order.
keys=
for p in $(series); do
	[ -f "$PATCHES/$p" ] || die "patches/series names $p, which does not exist"
	keys="$keys $(file_key "$PATCHES/$p" | tr ' ' :)"
done
# shellcheck disable=SC2086 # the keys are words without blanks (tr ' ' :)
set -- $keys
npatches=$#

if ! git_l rev-parse -q --verify refs/tags/base >/dev/null; then
	# A user's own tree: the series may already sit on top of it. Base is below those commits.
	n=0
	for key in "$@"; do
		c=$(git_l rev-parse "HEAD~$((npatches - 1 - n))" 2>/dev/null) || break
		[ "$(commit_key "$c" | tr ' ' :)" = "$key" ] || break
		n=$((n + 1))
	done
	[ "$n" = "$npatches" ] || n=0
	git_l tag base "HEAD~$n"
	note "tagged $(git_l log -1 --format='%h %s' base) as base"
fi

# How far base..HEAD matches the series, commit by commit.
matched=0
foreign=
for c in $(git_l rev-list --reverse base..HEAD); do
	if [ -z "$foreign" ] && [ $# -gt 0 ] && [ "$(commit_key "$c" | tr ' ' :)" = "$1" ]; then
		matched=$((matched + 1))
		shift
		continue
	fi
	foreign="$foreign $c"
done

if [ -n "$foreign" ]; then
	ours=$(git_l rev-parse -q --verify $APPLIED_REF || true)
	if [ "$ours" != "$(git_l rev-parse HEAD)" ]; then
		for c in $foreign; do
			git_l log -1 --format='  %h %s' "$c" >&2
		done
		die "linux/ has commits that are not in patches/ (above). Export them with 'make patches', or remove them yourself. Nothing was touched."
	fi
	# Only our own earlier commits differ: patches/ changed since. Rebuild the stack from there.
	keep=base
	[ "$matched" = 0 ] || keep=$(git_l rev-list --reverse base..HEAD | sed -n "${matched}p")
	note "patches/ changed: resetting linux/ to $(git_l log -1 --format='%h %s' "$keep")"
	git_l reset -q --hard "$keep"
fi

i=0
for p in $(series); do
	i=$((i + 1))
	[ "$i" -le "$matched" ] && continue
	note "applying $p"
	if ! out=$(git_l am -q --keep-cr --committer-date-is-author-date "$PATCHES/$p" 2>&1); then
		git_l am --abort >/dev/null 2>&1 || true
		echo "$out" | grep -E '^(error|Patch failed|Applying)' >&2 || echo "$out" >&2
		die "patches/$p does not apply to linux/ (failing hunk above); linux/ is left at $(git_l log -1 --format='%h %s')"
	fi
done
git_l update-ref $APPLIED_REF HEAD
note "linux/ is $(git_l describe --tags --always base) + $npatches patches"
