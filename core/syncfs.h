/* SPDX-License-Identifier: MIT */
/*
 * syncfs: may one syncfs(2) stand in for an fsync of every file and
 * directory of a tree (../shared/RELIABILITY.md §3 step 5)?
 */
#ifndef FERRY_SYNCFS_H
#define FERRY_SYNCFS_H

/* 1 when the running kernel is Linux >= 5.8, where syncfs(2) returns the
 * writeback errors of the file system seen since the fd it is given was
 * opened (errseq, commit 735e4ae5ba28); before 5.8 it can return 0 after
 * a lost write, so every file must be fsync'ed.  The environment variable
 * FERRY_FSYNC_EACH=1 answers 0 (more fsyncs, never fewer: for tests of
 * the per-file path). */
int	syncfs_reports_errors(void);

#endif
