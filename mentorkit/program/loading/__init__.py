"""The stages of :func:`mentorkit.program.load`, one module each, in the order a file goes through them:
:mod:`.mapping` (the mapping file, header to columns), :mod:`.readers` (raw files), :mod:`.cells`
(typing and checking cells), :mod:`.derive` (dates a mapping derives from other columns, for HR
snapshots), :mod:`.rules` (row, cross-table and duplicate rules) and
:mod:`.quarantine` (the problem report and the rejected rows). :mod:`mentorkit.program.loader`
runs them table by table.
"""
