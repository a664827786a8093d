/* The public header compiles alone under -std=c11 -pedantic -Werror. */
#include <secex.h>

int main(void)
{
	return SECEX_OK;
}
