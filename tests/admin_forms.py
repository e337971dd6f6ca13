"""Read a form out of an admin page the way a browser would, to post it back changed."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = {}
        self._textarea = None
        self._select = None
        self.textareas = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "option":
            if self._select and "selected" in attrs:
                self.fields[self._select] = attrs.get("value", "")
            return
        name = attrs.get("name")
        if not name or "__prefix__" in name or "-empty-" in name:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
                return
            self.fields[name] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.textareas.add(name)
            self.fields[name] = ""
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_data(response, form_id):
    """The fields of form ``form_id`` in ``response``, with their current values."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data = parser.fields
    for name in parser.textareas:
        # Like a browser, drop the newline Django writes after <textarea>.
        data[name] = data[name].removeprefix("\n")
    return data
