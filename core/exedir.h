/* SPDX-License-Identifier: MIT */
/*
 * exedir: the folder holding the running program, from /proc/self/exe
 * (which names the binary even when it was started through a symlink or
 * a relative path): where an installed or built ferry finds what it
 * ships beside itself (its catalogue, core/localedir.c; its private
 * libcurl, formats/curl_dl.c).
 */
#ifndef FERRY_EXEDIR_H
#define FERRY_EXEDIR_H

#include <stddef.h>

/* 0 with the folder in buf (no trailing '/'), or -1 (no /proc, a path
 * longer than n - 1 bytes). */
int	ferry_exe_dir(char *buf, size_t n);

#endif
