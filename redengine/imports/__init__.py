"""Import jobs (导入任务) and the 数据导入 pages: a workbook uploaded, checked in the background, confirmed
and written through the sheets that the apps register with the Excel engine (``redengine.dataio``).

It sits above the domain apps: it acts for the user (their scope, their account) and on the whole
tree for a command run without ``--user``.
"""
