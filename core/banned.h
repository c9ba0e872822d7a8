/*
 * banned.h - functions pz never calls (after git's banned.h): each has a
 * bounded or allocating replacement in common.h or buf.h.
 */
#ifndef PZ_BANNED_H
#define PZ_BANNED_H

#define PZ_BANNED(func) sorry_##func##_is_banned_in_pz

#undef strcpy
#define strcpy(x, y) PZ_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PZ_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) PZ_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) PZ_BANNED(strncat)
#undef sprintf
#define sprintf(...) PZ_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PZ_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) PZ_BANNED(strtok)
#undef gmtime
#define gmtime(t) PZ_BANNED(gmtime)
#undef localtime
#define localtime(t) PZ_BANNED(localtime)

#endif
