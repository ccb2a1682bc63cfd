#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Doxygen INPUT_FILTER: rewrite kernel-doc comments as Doxygen comments.

Usage: kdoc2doxygen.py FILE   (the filtered source is written to stdout)

Doxygen does not read kernel-doc, so every kernel-doc comment of FILE is
rewritten into Doxygen syntax; everything else passes through unchanged.
The output has exactly as many lines as the input and every declaration
stays on its line, so Doxygen's warnings point at the real source.

  name() - summary, NAME - summary (macros), typedef name - summary
      @brief summary; "@arg:" becomes "@param arg", "Return:" @return,
      "Note:" @note; "Context:" and "Example:" become titled paragraphs
      (the kdoc_context and kdoc_example aliases of the Doxyfile).
  struct/union/enum name - summary
      @brief summary; each "@member:" description (also "@a.b:" for a
      member of a nested struct) moves into the definition as a trailing
      "/**< ... */" comment on the member's declaration. A member declared
      by a macro (a bare "MACRO;" or "MACRO(...);" statement) gets the next
      description no declaration claimed; any still left become "@var"
      blocks after the definition. Members after a "private:" comment are
      hidden, as kernel-doc hides them. Without a definition following,
      the members are listed in the description.
  "/** @member: text */" inside a definition
      moves to the member's declaration likewise, so that several such
      comments may precede "} a, b;". A longer inline comment
      ("/**", " * @member:", text...) keeps its place and documents the
      declaration that follows, with the "@member:" tag dropped.
  DOC: title
      a section (@section) of the file's documentation (@file).
  the file's first plain comment, before any code (and not the SPDX one)
      the file's description. Every file gets an @file block, so that its
      functions and types are listed.
  macros and static declarations of .c files, with their comments
      wrapped in "@cond GC_FILE_LOCAL": not part of the API, as statics are
      with EXTRACT_STATIC=NO (which would also hide the static inline
      functions of the headers).
  any other "/**", "/*!", "///" or "//!" comment
      not kernel-doc, so it is made a plain comment.

Inline markup: @name, %CONST and ``literal`` become typewriter text,
"&struct foo", "&foo.member" and "&foo" lose the "&", Doxygen's special
characters are escaped (outside "quoted strings", which Doxygen prints as
they are), "* item" and "#. item" lists become Doxygen lists, reST literal
blocks ("text::", a blank line, an indented block) and ".. code-block::"
become @code blocks, and reST heading underlines make the heading bold.
"""

import os
import re
import sys

# kernel-doc's section start: @param:, @...:, and the named sections.
SECT_RE = re.compile(r'^\s*(@[.\w]+|@\.\.\.|description|context|returns?|'
                     r'notes?|examples?)\s*:([^:].*)?$', re.I)
INLINE_SECT_RE = re.compile(r'^\s*@\s*(\w[\w.]*)\s*:(.*)$')
DOC_RE = re.compile(r'^\s*DOC:\s*(.*?)\s*$')
# the start of a struct/union/enum definition, up to its opening brace
DEFINITION_RE = re.compile(r'\s*(?:typedef\s+)?(?:struct|union|enum)\b'
                           r'(?:[^;{}()]|__\w+\s*\(\([^;{}]*?\)\)|__\w+\s*\([^;{}()]*\))*\{')
# reST: a heading's underline, an admonition
HEADING_RULE = re.compile(r'^\s*([=\-~^"\'`#*+])\1{2,}\s*$')
ADMONITION = re.compile(r'^\s*\.\.\s+(note|warning|attention|important|hint|tip)::\s*(.*)$',
                        re.I)
# kernel-doc's function (or macro) name lines
FUNC_NAME1 = re.compile(r'^\s*(?:\w+\s*\*\s*)?(\w+)\s*(?:\(\w*\))?\s*(?:[-:].*)?$')
FUNC_NAME2 = re.compile(r'^\s*(?:\w+\s*\*\s*)?(\w+.*)(?:\(\w*\))?\s*[-:].*$')


def expand_indent(s):
    """Width of the leading whitespace of s, tabs at 8."""
    col = 0
    for ch in s:
        if ch == ' ':
            col += 1
        elif ch == '\t':
            col = (col // 8 + 1) * 8
        else:
            break
    return col


# ---------------------------------------------------------------------------
# Lexing: comments, literals, preprocessor lines

class Source:
    def __init__(self, text):
        self.text = text
        n = len(text)
        masked = list(text)
        self.comments = []  # (start, end, is_block)
        i = 0
        while i < n:
            c = text[i]
            if c == '/' and text.startswith('/*', i):
                j = text.find('*/', i + 2)
                j = n if j < 0 else j + 2
                self.comments.append((i, j, True))
                self._blank(masked, i, j)
                i = j
            elif c == '/' and text.startswith('//', i):
                j = i
                while True:
                    j = text.find('\n', j)
                    if j < 0:
                        j = n
                        break
                    if text[j - 1] != '\\':
                        break
                    j += 1
                self.comments.append((i, j, False))
                self._blank(masked, i, j)
                i = j
            elif c == '"' or c == "'":
                j = i + 1
                while j < n and text[j] != c and text[j] != '\n':
                    if text[j] == '\\':
                        j += 1
                    j += 1
                self._blank(masked, i + 1, min(j, n))
                i = j + 1
            else:
                i += 1
        self.masked = ''.join(masked)
        # code: masked, with preprocessor directives blanked too
        code = list(self.masked)
        self.directives = []  # (start, end) of each directive
        pos = 0
        lines = self.masked.split('\n')
        k = 0
        while k < len(lines):
            line = lines[k]
            if line.lstrip().startswith('#'):
                start = pos
                end = pos + len(line)
                while lines[k].rstrip().endswith('\\') and k + 1 < len(lines):
                    pos += len(lines[k]) + 1
                    k += 1
                    end = pos + len(lines[k])
                self.directives.append((start, end))
                self._blank(code, start, end)
            pos += len(lines[k]) + 1
            k += 1
        self.code = ''.join(code)

    @staticmethod
    def _blank(buf, i, j):
        for k in range(i, j):
            if buf[k] != '\n':
                buf[k] = ' '

    def match_brace(self, pos):
        """Position after the bracket closing the one at pos, in code."""
        pairs = {'{': '}', '(': ')', '[': ']'}
        depth = 0
        code = self.code
        for i in range(pos, len(code)):
            ch = code[i]
            if ch in pairs:
                depth += 1
            elif ch in ')]}':
                depth -= 1
                if depth == 0:
                    return i + 1
        return len(code)


# ---------------------------------------------------------------------------
# Inline markup

def code_safe(s):
    """Text for a Doxygen one-line argument: no markup at all."""
    return re.sub(r'([\\@&<>#%$])', r'\\\1', s)


PARAM_REF = re.compile(r'(?<![\w@\\])!?@(\w+(?:(?:\.|->)\w+)*(?:\(\))?(?:\.\.\.)?)')
TYPE_REF = re.compile(r'&(struct|union|enum|typedef)\s*(\w+)')
MEMBER_REF = re.compile(r'&(\w+)(\.|->)(\w+)')
FALLBACK_REF = re.compile(r'&(\w+)')
CONST_REF = re.compile(r'%([-\w]+)')


def markup(s):
    """Convert the kernel-doc/reST inline markup of one text line.

    Doxygen prints a "quoted string" as it is, without reading commands,
    escapes or tags in it: quoted strings pass through unchanged.
    """
    out = []
    last = 0
    for m in re.finditer(r'``(.+?)``|"[^"\n]*"', s):
        out.append(markup_plain(s[last:m.start()]))
        if m.group(1) is not None:
            out.append('<tt>' + code_safe(m.group(1)) + '</tt>')
        else:
            out.append(m.group(0))
        last = m.end()
    out.append(markup_plain(s[last:]))
    return ''.join(out)


def markup_plain(s):
    keep = []

    def stash(text):
        keep.append(text)
        return '\0%d\0' % (len(keep) - 1)

    s = PARAM_REF.sub(lambda m: stash('<tt>' + code_safe(m.group(1)) + '</tt>'), s)
    s = TYPE_REF.sub(lambda m: stash(m.group(1) + ' ' + m.group(2)), s)
    s = MEMBER_REF.sub(lambda m: stash(m.group(1) + m.group(2) + m.group(3)), s)
    s = FALLBACK_REF.sub(lambda m: stash(m.group(1)), s)
    s = CONST_REF.sub(lambda m: stash('<tt>' + code_safe(m.group(1)) + '</tt>'), s)
    # Doxygen commands, entities, tags, explicit links
    s = re.sub(r'([\\@&<#%$])', r'\\\1', s)
    s = re.sub('\0(\\d+)\0', lambda m: keep[int(m.group(1))], s)
    return s


def list_item(s):
    """reST bullets and enumerations to Doxygen's own list syntax."""
    m = re.match(r'^(\s*)[*+] (.*)$', s)
    if m:
        return m.group(1) + '- ' + m.group(2)
    m = re.match(r'^(\s*)(?:\d+|#)\. (.*)$', s)
    if m:
        return m.group(1) + '-# ' + m.group(2)
    return s


# ---------------------------------------------------------------------------
# Comment bodies

class Comment:
    """A /** ... */ comment split into prefixes and contents, by line."""

    def __init__(self, text):
        lines = text.split('\n')
        self.head = lines[0]  # "/**..." (may hold text)
        self.prefix = []
        self.content = []
        for line in lines[1:]:
            m = re.match(r'^(\s*\*(?!/) ?)(.*)$', line)
            if m:
                self.prefix.append(m.group(1))
                self.content.append(m.group(2))
            else:
                self.prefix.append('')
                self.content.append(line)
        # the tail: what follows the last "*/"
        self.tail = ''
        self.tail_indent = ' '
        if self.content:
            last = self.content[-1]
            k = last.rfind('*/')
            self.tail = last[k:]
            if not self.prefix[-1]:
                self.tail_indent = re.match(r'^\s*', last).group(0) or ' '
            self.content[-1] = last[:k].rstrip()
        else:
            k = self.head.rfind('*/')
            self.tail = self.head[k:]
            self.head = self.head[:k].rstrip()

    def one_line(self):
        return not self.content

    def head_text(self):
        """Text on the /** line after the opening."""
        return self.head.split('/**', 1)[1].strip()

    def render(self, head_extra, content):
        assert len(content) == len(self.content)
        if self.one_line():
            return self.head.split('/**', 1)[0] + '/**' + head_extra + ' ' + self.tail
        out = [self.head.rstrip() + head_extra]
        for i, (p, c) in enumerate(zip(self.prefix, content)):
            last = i == len(content) - 1
            if last:
                if c.strip():
                    if p and not p[-1].isspace():
                        p += ' '
                    out.append((p or ' * ') + c + ' ' + self.tail)
                elif p:
                    out.append(p.rstrip() + ' ' + self.tail)
                else:
                    out.append(self.tail_indent + self.tail)
            elif c.strip():
                if p and not p[-1].isspace():
                    p += ' '
                out.append((p or ' * ') + c)
            else:
                out.append(p.rstrip() if p else '')
        return '\n'.join(out)


SECTION_CMD = {
    'context': '@kdoc_context',
    'return': '@return',
    'returns': '@return',
    '@return': '@return',
    'note': '@note',
    'notes': '@note',
    'example': '@kdoc_example',
    'examples': '@kdoc_example',
}


def convert_text(lines, sections=True, members=None, start=0, params=True):
    """Convert comment contents lines[start:] in place.

    sections: parse kernel-doc sections (not in DOC: blocks).
    members: dict to collect @member descriptions into (their lines are
    emptied), or None to turn them into @param (or, if not params, into
    list items).
    """
    i = start
    n = len(lines)
    code_base = None  # indent of the paragraph that ended with "::"
    in_code = False
    member = None  # name of the member description being read
    while i < n:
        line = lines[i]
        text = line.strip()
        ind = expand_indent(line)
        if in_code:
            if not text:
                i += 1
                continue
            if ind > code_base:
                i += 1
                continue
            # the block ended: close it on the blank line before, if any
            k = i - 1
            if k >= start and not lines[k].strip():
                lines[k] = '@endcode'
            else:
                lines[i - 1] = lines[i - 1] + ' @endcode'
            in_code = False
            code_base = None
            continue
        if code_base is not None and text:
            if ind > code_base:
                k = i - 1
                if k >= start and not lines[k].strip():
                    lines[k] = '@code'
                else:
                    lines[i] = '@code ' + lines[i]
                in_code = True
                i += 1
                continue
            code_base = None
        if not text:
            member = None
            i += 1
            continue
        m = SECT_RE.match(line) if sections else None
        if m:
            member = None
            name, rest = m.group(1), (m.group(2) or '').strip()
            key = name.lower()
            if name.startswith('@') and key != '@return':
                pname = name[1:]
                if members is not None:
                    members.setdefault(pname, []).append(rest)
                    lines[i] = ''
                    member = pname
                    i += 1
                    continue
                if not params:
                    lines[i] = '- <tt>%s</tt>: %s' % (code_safe(pname), convert_line(rest))
                    i += 1
                    continue
                if pname != '...' and pname.endswith('...'):
                    pname = pname[:-3]
                cmd = '@param ' + pname
            elif key == 'description':
                cmd = ''
            else:
                cmd = SECTION_CMD[key]
            if not rest and cmd:
                # "Returns:" alone on its line: the text follows, maybe
                # after blank lines, which would end a Doxygen section
                k = i + 1
                while k < n and not lines[k].strip():
                    k += 1
                if k > i + 1 and k < n:
                    lines[i] = ''
                    lines[k - 1] = cmd
                    i = k
                else:
                    lines[i] = cmd
                    i += 1
                continue
            lines[i] = (cmd + ' ' if cmd else '') + convert_line(rest)
            i, code_base = i + 1, code_end(rest, 0)
            continue
        if member is not None:
            members[member].append(text)
            lines[i] = ''
            i += 1
            continue
        # a reST directive we know
        d = re.match(r'^\s*\.\.\s+(code-block|code|highlight)::', line)
        if d:
            lines[i] = ''
            code_base = ind
            i += 1
            continue
        d = ADMONITION.match(line)
        if d:
            cmd = '@warning' if d.group(1).lower() == 'warning' else '@note'
            lines[i] = cmd + ' ' + convert_line(d.group(2))
            i += 1
            continue
        # reST heading underline
        if (HEADING_RULE.match(line) and i > start and lines[i - 1].strip()
                and not lines[i - 1].lstrip().startswith('@')):
            lines[i - 1] = '<b>' + lines[i - 1].strip() + '</b>'
            lines[i] = ''
            i += 1
            continue
        lines[i] = convert_line(line)
        code_base = code_end(line, ind)
        i += 1
    if in_code:
        k = n - 1
        lines[k] = lines[k] + ' @endcode'


def ch_ok(ch, enum):
    """Can ch follow the name in a declaration of a member (or value)?"""
    return ch in (',=}' if enum else ';,:[)=}')


def code_end(line, ind):
    """Indent of a paragraph ending in "::" (a literal block follows)."""
    return ind if line.rstrip().endswith('::') else None


def convert_line(line):
    s = line.rstrip()
    if s.endswith('::'):
        s = s[:-2].rstrip()
        s = s + ':' if s.strip() else s
    m = re.match(r'^(\s*-#? )(.*)$', list_item(s))
    if m:
        return m.group(1) + markup(m.group(2))
    return markup(s)


# ---------------------------------------------------------------------------
# The filter

class Filter:
    def __init__(self, path, text):
        self.path = path
        self.src = Source(text)
        self.is_c = path.endswith('.c')
        self.edits = []  # (start, end, replacement)
        self.file_doc = False
        rel = os.path.relpath(path) if os.path.isabs(path) else path
        if rel.startswith('..'):
            rel = os.path.basename(path)
        self.slug = re.sub(r'\W+', '_', rel).strip('_').lower()
        self.labels = set()

    def edit(self, start, end, text, first=False):
        """Replace text[start:end]; an insertion if start == end.

        At one place, insertions come before a replacement, and those
        marked first before the others.
        """
        self.edits.append((start, end, text, 0 if first else 1))

    def run(self):
        src = self.src
        text = src.text
        top = self.top_comment()
        for (start, end, block) in src.comments:
            body = text[start:end]
            if not block:
                if body.startswith('///') or body.startswith('//!'):
                    self.edit(start, start + 2, '/' + '/ ')
                continue
            if start == top:
                self.edit(start, end, self.file_comment(body))
                continue
            if not body.startswith('/**') or body.startswith('/**/'):
                if body.startswith('/*!'):
                    self.edit(start, start + 3, '/* !')
                continue
            r = self.doc_comment(start, end, body)
            if r is None:
                self.edit(start, start + 3, '/* *')
        if self.is_c:
            self.hide_file_local()
        if not self.file_doc:
            self.edit(0, 0, '/** @file */ ', first=True)
        return self.apply()

    def apply(self):
        text = self.src.text
        out = []
        pos = 0
        # insertions before replacements at the same place
        for (start, end, rep, _) in sorted(self.edits, key=lambda e: (e[0], e[1] != e[0], e[3])):
            if start < pos:
                continue  # overlapping edit: keep the first one
            out.append(text[pos:start])
            out.append(rep)
            pos = end
        out.append(text[pos:])
        return ''.join(out)

    # -- the file comment -------------------------------------------------

    def top_comment(self):
        """Start of the first plain block comment before any code."""
        src = self.src
        for (start, end, block) in src.comments:
            before = src.masked[:start]
            if before.strip():
                return None
            body = src.text[start:end]
            if 'SPDX-License-Identifier' in body:
                continue
            if block and not body.startswith('/**') and not body.startswith('/*!'):
                return start
            return None
        return None

    def file_comment(self, body):
        self.file_doc = True
        lines = body.split('\n')
        if len(lines) == 1:
            inner = body[2:-2].strip()
            return '/** @brief ' + markup(inner) + ' @file */'
        c = Comment('/**' + body[2:])
        head = c.head_text()
        c.head = c.head.split('/**', 1)[0] + '/**'
        content = c.content[:]
        convert_text(content, sections=False)
        if head:
            return c.render(' @brief ' + markup(head) + ' @file', content)
        for k, line in enumerate(content):
            if line.strip():
                content[k] = '@brief ' + line.strip()
                break
        return c.render(' @file', content)

    # -- kernel-doc comments ---------------------------------------------

    def doc_comment(self, start, end, body):
        c = Comment(body)
        if c.one_line():
            m = INLINE_SECT_RE.match(c.head_text())
            if not m:
                return None
            # "/** @member: text */" inside a body: document the member
            # where it is declared, as several such comments may precede
            # one declaration ("} a, b;")
            desc = markup(m.group(2).strip())
            at = self.inline_target(end, m.group(1))
            if at is None:
                self.edit(start, end, c.render(' ' + desc, []))
            else:
                self.edit(start, start + 3, '/* *')
                self.edit(at, at, ' /**< %s */' % desc)
            return True
        if c.head_text():
            return None
        first = next((k for k, l in enumerate(c.content) if l.strip()), None)
        if first is None:
            return None
        line = c.content[first]
        m = DOC_RE.match(line)
        if m:
            self.edit(start, end, self.doc_block(c, first, m.group(1)))
            return True
        m = INLINE_SECT_RE.match(line)
        if m:
            content = c.content[:]
            content[first] = m.group(2).strip()
            convert_text(content, sections=False)
            self.edit(start, end, c.render('', content))
            return True
        if first != 0:
            return None
        return self.kdoc(start, end, c, line)

    def doc_block(self, c, first, title):
        self.file_doc = True
        content = c.content[:]
        if title:
            label = 'doc_%s_%s' % (self.slug, re.sub(r'\W+', '_', title).strip('_').lower())
            while label in self.labels:
                label += '_'
            self.labels.add(label)
            content[first] = '@section %s %s' % (label, code_safe(title))
        else:
            content[first] = ''
        convert_text(content, sections=False, start=first + 1)
        return c.render(' @file', content)

    def kdoc(self, start, end, c, line):
        m = re.match(r'^\s*([\w\s]+?)(?:\(\w*\))?\s*([-:].*)?$', line)
        ident = m.group(1).strip() if m else ''
        t = re.match(r'^(struct|union|enum|typedef)\b\s*(\S*)', ident)
        if not t and not (FUNC_NAME1.match(line) or FUNC_NAME2.match(line)):
            return None  # kernel-doc: "isn't a kernel-doc comment"
        p = re.search(r'[-:](.*)', line)
        purpose = p.group(1).strip() if p else ''
        content = c.content[:]
        content[0] = ('@brief ' + markup(purpose)) if purpose else ''
        kind = t.group(1) if t else 'function'
        if kind in ('struct', 'union', 'enum'):
            m = DEFINITION_RE.match(self.src.code, end)
            if m:
                members = {}
                convert_text(content, members=members, start=1)
                self.edit(start, end, c.render('', content))
                self.place_members(m, kind, t.group(2), members)
            else:
                # no definition follows: list the members in the text
                convert_text(content, start=1, params=False)
                self.edit(start, end, c.render('', content))
        else:
            convert_text(content, start=1)
            self.edit(start, end, c.render('', content))
        return True

    # -- struct, union and enum members ------------------------------------

    def place_members(self, m, kind, name, members):
        """Put the member descriptions on the definition matched by m."""
        src = self.src
        code = src.code
        open_ = m.end() - 1
        close = src.match_brace(open_) - 1
        decl_end = code.find(';', close)
        if decl_end < 0:
            decl_end = close
        self.hide_private(open_, close)
        descs = {k: ' '.join(x for x in v if x) for k, v in members.items()}
        unplaced = []
        claimed = set()
        for member, desc in descs.items():
            leaf = re.split(r'\.|->', member)[-1]
            at = self.find_declarator(open_ + 1, close, leaf, kind == 'enum', claimed)
            if at is None:
                unplaced.append((member, desc))
                continue
            claimed.add(at)
            self.edit(at, at, ' /**< %s */' % markup(desc))
        if unplaced and kind != 'enum':
            for at in self.macro_members(open_ + 1, close):
                if not unplaced:
                    break
                if at in claimed:
                    continue
                claimed.add(at)
                member, desc = unplaced.pop(0)
                self.edit(at, at, ' /**< %s */' % markup(desc))
        extra = []
        for member, desc in unplaced:
            if '.' in member or '->' in member:
                target = member.replace('->', '.').split('.')[-1]
            else:
                target = member
            if kind != 'enum':
                target = '%s::%s' % (name, target)
            extra.append('/** @var %s \\ilinebr %s */' % (target, markup(desc)))
        if extra:
            self.edit(decl_end + 1, decl_end + 1, ' ' + ' '.join(extra))

    def inline_target(self, pos, name):
        """Where member name, documented by a comment ending at pos, is declared."""
        code = self.src.code
        depth = 0
        for i in range(pos, len(code)):
            ch = code[i]
            if ch == '{':
                depth += 1
            elif ch == '}':
                depth -= 1
                if depth < 0:
                    leaf = re.split(r'\.|->', name)[-1]
                    return self.find_declarator(pos, i, leaf, False)
        return None

    def find_declarator(self, lo, hi, name, enum, claimed=()):
        """Where to put the trailing comment of member name, or None.

        The first declaration of name between lo and hi that is not
        claimed yet (a leaf name such as x in @a.x may be declared in
        several nested structs).
        """
        code = self.src.code
        body = code[lo:hi]
        depth = []
        d = 0
        for ch in body:
            if ch == '(':
                d += 1
            elif ch == ')':
                d -= 1
            depth.append(d)
        for m in re.finditer(r'\b%s\b' % re.escape(name), body):
            if depth[m.start()] > 0 and not re.search(r'\(\s*\*\s*$', body[:m.start()]):
                continue  # a parameter name or a macro argument
            after = body[m.end():].lstrip()
            while re.match(r'__\w+\s*(\(\([^;]*?\)\)|\([^;]*?\))?', after) and not enum:
                a = re.match(r'__\w+\s*(\(\([^;]*?\)\)|\([^;]*?\))?', after)
                after = after[a.end():].lstrip()
            if not after:
                at = self.after_code(lo + m.end()) if enum else None
            elif ch_ok(after[0], enum):
                at = self.stmt_end(lo + m.start(), hi, enum)
            else:
                at = None
            if at is not None and at not in claimed:
                return at
        return None

    def stmt_end(self, pos, hi, enum):
        """Insert position after the declaration containing pos."""
        code = self.src.code
        depth = 0
        for i in range(pos, hi):
            ch = code[i]
            if ch in '([{':
                depth += 1
            elif ch in ')]}':
                depth -= 1
                if depth < 0 and ch == '}':
                    return self.after_code(i)
                if depth < 0:
                    depth = 0
            elif ch in ';,' and depth == 0:
                return i + 1
        return self.after_code(hi)

    def after_code(self, pos):
        """Just after the last code character before pos."""
        code = self.src.code
        i = pos
        while i > 0 and code[i - 1].isspace():
            i -= 1
        return i

    def macro_members(self, lo, hi):
        """Positions after bare "MACRO;" / "MACRO(...);" member statements."""
        code = self.src.code
        out = []
        depth = 0
        stmt = lo
        i = lo
        while i < hi:
            ch = code[i]
            if ch == '{':
                depth += 1
            elif ch == '}':
                depth -= 1
                stmt = i + 1
            elif ch == ';' and depth == 0:
                s = code[stmt:i].strip()
                if re.match(r'^[A-Z_][A-Z0-9_]*\s*(\(.*\))?$', s, re.S):
                    out.append(i + 1)
                stmt = i + 1
            i += 1
        return out

    def hide_private(self, lo, hi):
        """kernel-doc's "private:" / "public:" comments in a body."""
        src = self.src
        private = False
        for (start, end, block) in src.comments:
            if start < lo or end > hi or not block:
                continue
            body = src.text[start:end]
            if re.match(r'/\*\s*private:', body):
                if not private:
                    self.edit(start, end, '/** @cond GC_PRIVATE' +
                              '\n' * body.count('\n') + ' */')
                private = True
            elif re.match(r'/\*\s*public:', body):
                if private:
                    self.edit(start, end, '/** @endcond' +
                              '\n' * body.count('\n') + ' */')
                private = False
        if private:
            self.edit(hi, hi, '/** @endcond */ ')

    # -- file-local declarations of .c files ---------------------------------

    def hide_file_local(self):
        src = self.src
        regions = []
        for (start, end) in src.directives:
            d = src.masked[start:end]
            if re.match(r'\s*#\s*define\b', d):
                regions.append((start, start + len(d.rstrip())))
        code = src.code
        n = len(code)
        i = 0
        while i < n:
            m = re.compile(r'\S').search(code, i)
            if not m:
                break
            s = m.start()
            e = self.stmt_extent(s)
            if re.match(r'static\b', code[s:]):
                regions.append((s, e))
            i = max(e, s + 1)
        for (s, e) in regions:
            s = self.with_doc_comment(s)
            self.edit(s, s, '/** @cond GC_FILE_LOCAL */ ')
            self.edit(e, e, ' /** @endcond */')

    def stmt_extent(self, s):
        """End of the top-level declaration or definition starting at s."""
        code = self.src.code
        n = len(code)
        i = s
        while i < n:
            ch = code[i]
            if ch == ';':
                return i + 1
            if ch in '([':
                i = self.src.match_brace(i)
                continue
            if ch == '{':
                j = self.src.match_brace(i)
                prev = code[s:i].rstrip()
                if prev.endswith(')') or re.search(r'\)\s*(__\w+(\([^;{]*\))?\s*)*$', prev):
                    return j  # function body
                i = j
                continue
            if ch == '}':
                return i + 1
            i += 1
        return n

    def with_doc_comment(self, s):
        """Move s back over a comment that directly precedes it."""
        src = self.src
        for (start, end, block) in reversed(src.comments):
            if end > s:
                continue
            if src.text[end:s].strip():
                break
            body = src.text[start:end]
            if block and body.startswith('/**') and not re.match(r'/\*\*\s*\n\s*\*\s*DOC:', body):
                return start
            break
        return s


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: kdoc2doxygen.py FILE\n')
        return 2
    path = sys.argv[1]
    with open(path, encoding='utf-8', errors='surrogateescape', newline='') as f:
        text = f.read()
    try:
        out = Filter(path, text).run()
        if out.count('\n') != text.count('\n'):
            raise RuntimeError('line count changed')
    except Exception as e:  # never lose the file: pass it through
        sys.stderr.write('%s:1: kdoc2doxygen: internal error: %s\n' % (path, e))
        out = text
    sys.stdout.buffer.write(out.encode('utf-8', errors='surrogateescape'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
