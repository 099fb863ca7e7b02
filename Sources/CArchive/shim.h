#include <archive.h>
#include <archive_entry.h>

// The AE_IF* file-type macros carry casts that Swift does not import.
static const unsigned int dsprep_AE_IFREG = AE_IFREG;
static const unsigned int dsprep_AE_IFDIR = AE_IFDIR;
static const unsigned int dsprep_AE_IFLNK = AE_IFLNK;
static const unsigned int dsprep_AE_IFCHR = AE_IFCHR;
static const unsigned int dsprep_AE_IFBLK = AE_IFBLK;
static const unsigned int dsprep_AE_IFIFO = AE_IFIFO;
static const unsigned int dsprep_AE_IFSOCK = AE_IFSOCK;
