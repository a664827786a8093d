#ifndef SECEX_BANNED_H
#define SECEX_BANNED_H

/* Functions with unbounded writes or hidden state; include this after the system headers. */

#define BANNED(func) sorry_##func##_is_banned_in_secex

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)

#endif
