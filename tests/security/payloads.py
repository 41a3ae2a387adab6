"""The XSS corpus: each payload, if it ever ran, would set ``window.__xss`` or open a dialog."""

PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\">",
    "<svg><script>window.__xss='svgscript'</script></svg>",
    "javascript:alert('jsurl')",
    "<a href=\"javascript:window.__xss='href'\">click</a>",
    "<a href=\"&#106;avascript:alert('entity')\">entity</a>",
    "<a href=\"jav&#x09;ascript:alert('tab')\">tab</a>",
    "<iframe src=\"data:text/html,<script>parent.__xss='data'</script>\"></iframe>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__xss='mxss'\">",
    "\"><img src=x onerror=window.__xss='attr'>",
    "'><svg/onload=alert('single')>",
    "</textarea><script>alert('textarea')</script>",
    "</title><script>alert('title')</script>",
    "</script><script>alert('script-close')</script>",
    "<details open ontoggle=\"window.__xss='details'\">",
    "<style>*{background:url(\"javascript:alert('css')\")}</style><div style=\"x:expression(alert(1))\">",
    "[md link](javascript:alert('mdlink'))",
    "![md img](x\" onerror=\"alert('mdimg'))",
    "<<script>alert('broken')//<</script>",
    "<body onpageshow=alert('body')>",
    "{{7*7777}} {{ config.SECRET_KEY }} ${7*7777} <%= 7*7777 %>",
    "<form action=\"javascript:alert('form')\"><button>go</button></form>",
]

# what rendering a template-injection string would produce
INJECTED = "54439"

# In the page: the marker, plus anything dangerous the DOM holds (escaping failures even when nothing ran).
PROBE = """() => {
  const bad = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      const v = a.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (a.name.startsWith('on')) bad.push(e.outerHTML.slice(0, 120));
      else if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(a.name)
               && (v.startsWith('javascript:') || v.startsWith('vbscript:') || v.startsWith('data:text/html')))
        bad.push(e.outerHTML.slice(0, 120));
    }
    if (e.tagName.toUpperCase() === 'SCRIPT' && !e.src && e.textContent.trim()) bad.push(e.outerHTML.slice(0, 120));
  }
  return {marker: window.__xss || null, bad};
}"""
