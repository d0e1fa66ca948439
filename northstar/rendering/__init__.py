"""One rendering stack for every report Northstar writes: packs, digests and roadmap exports.

A chart, a table or a key figure is specified once as plain dataclasses (`spec`); `charts` draws it as
SVG (web page, PDF) or PNG with matplotlib, `pptx` builds native, editable PowerPoint charts and tables
from the same specification, and `pdf` prints HTML with WeasyPrint. Nothing here imports Django.
"""
