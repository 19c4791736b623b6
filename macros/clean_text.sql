{{!--
  One-line text as people mean it: every run of whitespace (spaces, tabs, line breaks,
  no-break spaces) becomes one space, trimmed at both ends; blank becomes NULL.
  The regex replacement only runs on text that needs it (a match test is far cheaper).
  Usage: {{> clean_text value="p.title"}}
--}}
nullif(btrim(case when {{value}} ~ '[\s\u00a0]{2,}|[\t\n\r\f\v\u00a0]' then regexp_replace({{value}}, '[\s\u00a0]+', ' ', 'g') else {{value}} end), '')
