#!/usr/bin/env bash
# Render what caseworkers and managers see, to look at it as they do: every .xlsx given (or every workbook of a night's
# export folder) through LibreOffice -> PDF -> PNG, and the KPI report through headless Chromium -> PNG (full page) and
# PDF (A4, as printed). Needs libreoffice-calc (or -nogui), poppler-utils, chromium and a CJK font (fonts-noto-cjk);
# nothing here runs in the tests, which check the same layout through openpyxl (tests/caseworker/test_workbook.py).
#
#   tools/render_exports.sh var/demo/exports/2026-03-04 /tmp/render          # a night's workbooks and report
#   tools/render_exports.sh some.xlsx /tmp/render                            # one workbook
set -euo pipefail
src=${1:?usage: render_exports.sh EXPORT_DIR_OR_XLSX OUT_DIR [MAX_WORKBOOKS]}
out=${2:?usage: render_exports.sh EXPORT_DIR_OR_XLSX OUT_DIR [MAX_WORKBOOKS]}
max=${3:-3}
mkdir -p "$out"
profile=$(mktemp -d)   # a private LibreOffice profile: no clash with a desktop session, removed after
trap 'rm -rf "$profile"' EXIT
if [ -d "$src" ]; then
  mapfile -t books < <(ls "$src"/5*_*.xlsx | head -n "$max"; ls "$src"/district_escalation.xlsx 2>/dev/null)
  report="$src/report.html"
else
  books=("$src"); report=""
fi
for book in "${books[@]}"; do
  soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$out" "$book" >/dev/null
  pdf="$out/$(basename "${book%.xlsx}").pdf"
  pdftoppm -r 70 -png -l 4 "$pdf" "${pdf%.pdf}"
  echo "$pdf: $(pdfinfo "$pdf" | awk '/^Pages/ {print $2}') pages; PNGs ${pdf%.pdf}-*.png"
done
if [ -n "$report" ] && [ -f "$report" ]; then
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2400 \
    --screenshot="$out/report.png" "file://$(realpath "$report")" 2>/dev/null
  chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$out/report.pdf" \
    "file://$(realpath "$report")" 2>/dev/null
  echo "$out/report.png, $out/report.pdf"
fi
