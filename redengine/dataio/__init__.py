"""The Excel import engine (数据导入): declared sheets in, parsed rows and located problems out.

An app declares its sheets (``sheets.Column``, ``sheets.Sheet``) with the parsers of
``parsers``; ``reader.read_workbook`` vets the uploaded file against hostile workbooks, reads it
and checks every cell; ``template.build_template`` writes the matching blank workbook with
drop-downs. The engine knows nothing of schools or people: checks across rows and against the
database are the declaring app's, done in bulk on the parsed rows.
"""
