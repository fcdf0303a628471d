#!/usr/bin/env bash
# Refresh the vendored front-end libraries under bss/static/vendor/ from the npm registry.
# Node is needed only to run this; install, CI and the running system use the committed files.
# Nothing the product serves loads from a CDN.
set -euo pipefail
BOOTSTRAP=5.3.8
CHARTJS=4.6.1
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/bss/static/vendor"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "bootstrap@$BOOTSTRAP" "chart.js@$CHARTJS" >/dev/null
mkdir b c && tar xzf "bootstrap-$BOOTSTRAP.tgz" -C b && tar xzf "chart.js-$CHARTJS.tgz" -C c
rm -rf "$dest"/bootstrap-* "$dest"/chartjs-*
mkdir -p "$dest/bootstrap-$BOOTSTRAP" "$dest/chartjs-$CHARTJS"
cp b/package/dist/css/bootstrap.min.css b/package/dist/js/bootstrap.bundle.min.js b/package/LICENSE "$dest/bootstrap-$BOOTSTRAP/"
cp c/package/dist/chart.umd.min.js c/package/LICENSE.md "$dest/chartjs-$CHARTJS/"
# the maps are not shipped: strip the sourceMappingURL comments so browsers do not ask for them
sed -i '/sourceMappingURL=/d' "$dest/bootstrap-$BOOTSTRAP/"*.min.* "$dest/chartjs-$CHARTJS/chart.umd.min.js"
printf 'bootstrap %s\nchart.js %s\n' "$BOOTSTRAP" "$CHARTJS" > "$dest/VERSIONS"
echo "vendored into $dest"
