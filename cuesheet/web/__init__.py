"""The viewer's web page: "what song is this?" in a browser, read-only.

`cuesheet.web.app.create_app` builds the site; this package's own import loads nothing,
so that nothing else in cuesheet pays for the web libraries.
"""
