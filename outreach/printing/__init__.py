"""Print-outs: task matches, rosters, member letters and the survey summary as PDF (WeasyPrint).

`render.render_pdf` is the one renderer; `documents` builds each document's data as plain dataclasses;
`views` and `cli` only pick the scope, audit the print and hand the data to the renderer.
"""
