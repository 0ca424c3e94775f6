#!/bin/sh
# Export linux/'s commits since "base" to patches/ (git format-patch) and rewrite patches/series.
set -eu
. "$(dirname "$0")/lib.sh"

PATCHES=${PATCHES:-$TOP/patches}
git -C "$LINUX_DIR" rev-parse -q --verify refs/tags/base >/dev/null ||
	die "linux/ has no \"base\" tag: run 'make linux' first"
[ -z "$(git -C "$LINUX_DIR" status --porcelain)" ] ||
	die "linux/ has uncommitted changes: commit them first, then export"

# Patches of the old series that the new one does not name again are stale.
if [ -f "$PATCHES/series" ]; then
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series" | while read -r p; do
		rm -f "$PATCHES/$p"
	done
fi
mkdir -p "$PATCHES"
git -C "$LINUX_DIR" -c diff.suppressBlankEmpty=true format-patch --no-signature --zero-commit -N -o "$PATCHES" base..HEAD |
	xargs -r -n1 basename >"$PATCHES/series"
git -C "$LINUX_DIR" update-ref refs/testbed/applied HEAD
note "exported $(wc -l <"$PATCHES/series") patches to patches/ (series rewritten)"
