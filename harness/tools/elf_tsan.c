/* Whether a shared object was compiled with -fsanitize=thread, and which libraries it needs, read
 * off its ELF. Instrumented code calls __tsan_read8, __tsan_func_entry and friends, which an
 * extension module leaves undefined for the TSan runtime in the executable to provide. */
#include "elf_tsan.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One section of type `type` with its linked string table, both checked to lie inside the file;
 * returns 1 when it found what it looks for, 0 to go on. */
typedef int (*section_visit)(const unsigned char *map, const Elf64_Shdr *section, const Elf64_Shdr *strtab,
                             const void *arg);

/* Maps `path` and calls `visit` on each section of `type` until one returns 1. Returns that 1, 0
 * when none did, -1 when the file is no readable 64-bit ELF file. */
static int each_section(const char *path, Elf64_Word type, section_visit visit, const void *arg)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int result = -1;

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    const unsigned char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return -1;
    const Elf64_Ehdr *eh = (const void *)map;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
        goto done;
    const Elf64_Shdr *sh = (const void *)(map + eh->e_shoff);
    result = 0;
    for (int i = 0; i < eh->e_shnum && result == 0; i++) {
        if (sh[i].sh_type != type || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf64_Shdr *strtab = &sh[sh[i].sh_link];
        if (sh[i].sh_offset + sh[i].sh_size > size || strtab->sh_offset + strtab->sh_size > size)
            break;
        result = visit(map, &sh[i], strtab, arg);
    }
done:
    munmap((void *)map, size);
    return result;
}

/* An undefined dynamic symbol that only instrumented code calls. */
static int imports_tsan(const unsigned char *map, const Elf64_Shdr *dynsym, const Elf64_Shdr *strtab, const void *arg)
{
    (void)arg;
    const Elf64_Sym *syms = (const void *)(map + dynsym->sh_offset);
    size_t n = dynsym->sh_size / sizeof(Elf64_Sym);
    for (size_t k = 0; k < n; k++) {
        if (syms[k].st_shndx != SHN_UNDEF || syms[k].st_name >= strtab->sh_size)
            continue;
        const char *name = (const char *)map + strtab->sh_offset + syms[k].st_name;
        if (!strncmp(name, "__tsan_read", 11) || !strncmp(name, "__tsan_write", 12) ||
            !strcmp(name, "__tsan_func_entry"))
            return 1;
    }
    return 0;
}

/* A DT_NEEDED entry starting with the prefix `arg`. */
static int needs_prefix(const unsigned char *map, const Elf64_Shdr *dynamic, const Elf64_Shdr *strtab, const void *arg)
{
    const char *prefix = arg;
    const Elf64_Dyn *dyn = (const void *)(map + dynamic->sh_offset);
    size_t n = dynamic->sh_size / sizeof(Elf64_Dyn);
    for (size_t k = 0; k < n && dyn[k].d_tag != DT_NULL; k++) {
        if (dyn[k].d_tag != DT_NEEDED || dyn[k].d_un.d_val >= strtab->sh_size)
            continue;
        const char *name = (const char *)map + strtab->sh_offset + dyn[k].d_un.d_val;
        if (memchr(name, '\0', strtab->sh_size - dyn[k].d_un.d_val) && !strncmp(name, prefix, strlen(prefix)))
            return 1;
    }
    return 0;
}

int ft_elf_is_tsan_instrumented(const char *path)
{
    return each_section(path, SHT_DYNSYM, imports_tsan, NULL);
}

int ft_elf_needs_library(const char *path, const char *prefix)
{
    return each_section(path, SHT_DYNAMIC, needs_prefix, prefix);
}
