/* sanitize — allowlist HTML sanitiser for item summaries and content, on the way in. */
#ifndef TIDINGS_SANITIZE_H
#define TIDINGS_SANITIZE_H

#include <stddef.h>

/* Returns a new string holding html reduced to an allowlist of elements and attributes:
 * no script/style/iframe/object/embed/form/meta/base/noscript/SVG/MathML (dropped with their
 * content), no event handlers, no CSS, no comments; URLs only http, https and mailto, relative
 * ones resolved against base (when base is http or https; otherwise left relative).  Elements
 * outside the allowlist are unwrapped (their text stays).  NULL stays NULL. */
char *sanitize_html(const char *html, const char *base);
/* The same, and *clean tells whether the result is known to be what text_clean would make of
 * it (valid UTF-8 of characters that XML allows and NFC leaves alone); 0 means "not known". */
char *sanitize_html_clean(const char *html, const char *base, int *clean);
/* The same for the len bytes at html (a NUL among them is not text), and *checked tells whether
 * the sanitiser's own scanner read every byte: each one of valid UTF-8, no C0 control but tab
 * and line feed, no U+FFFE or U+FFFF. */
char *sanitize_html_n(const char *html, size_t len, const char *base, int *clean, int *checked);

/* The same through libxml2's HTML parser alone.  sanitize_html reads plain, well-nested markup
 * with a strict scanner of its own and gives everything else to the parser; its output is
 * always this function's (the tests and fuzz_sanitize compare them). */
char *sanitize_html_parser(const char *html, const char *base);

#endif
