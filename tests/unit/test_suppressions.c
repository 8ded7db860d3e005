/* Unit tests: TSan-format suppression templates and matching. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "suppressions.h"

void test_template_match(void)
{
    CHECK(ft_template_match("list_get_item_ref", "list_get_item_ref"));
    CHECK(ft_template_match("item_ref", "list_get_item_ref"));      /* substring, like TSan */
    CHECK(!ft_template_match("^item_ref", "list_get_item_ref"));    /* anchored start */
    CHECK(ft_template_match("^list_", "list_get_item_ref"));
    CHECK(ft_template_match("_ref$", "list_get_item_ref"));
    CHECK(!ft_template_match("_get$", "list_get_item_ref"));
    CHECK(ft_template_match("list*ref", "list_get_item_ref"));
    CHECK(ft_template_match("^list*item*$", "list_get_item"));
    CHECK(!ft_template_match("^list*zzz", "list_get_item_ref"));
    CHECK(ft_template_match("libfoo.so", "/usr/lib/libfoo.so.1"));
    CHECK(!ft_template_match("anything", ""));
}

static json_t *report_with_stack(const char *top, const char *below)
{
    return json_pack("{s:s, s:[{s:[[s,s,i,s],[s,s,i,s]]}]}", "type", "data-race", "mops", "frames", top, "/src/a.c", 1,
                     "/x/ftstress", below, "/src/b.c", 2, "/x/ftstress");
}

void test_suppression_race_top_only_top_frame(void)
{
    ft_suppressions s = {0};
    s.items = calloc(2, sizeof *s.items);
    s.items[0] = (ft_suppression){"race_top", "helper", "t.supp", 1, 0};
    s.count = 1;
    json_t *top = report_with_stack("helper", "caller"), *below = report_with_stack("caller", "helper");
    CHECK(ft_suppressions_match(&s, top) != NULL);
    CHECK(ft_suppressions_match(&s, below) == NULL); /* race_top ignores deeper frames */
    s.items[0].type = "race";                        /* race: any frame */
    CHECK(ft_suppressions_match(&s, below) != NULL);
    CHECK_INT(s.items[0].hits, 2);
    json_decref(top);
    json_decref(below);
    free(s.items);
}

void test_suppression_file_errors_have_positions(void)
{
    char path[] = "/tmp/ftstress-supp-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "# reason: known\nrace:ok_function\n\nbogus line\nrace_bottom:x\n";
    ft_suppressions s = {0};
    ft_diags d = {0};
    CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);
    CHECK_INT(ft_suppressions_load(&s, path, &d), -1);
    CHECK_INT(s.count, 1);
    CHECK_INT(d.count, 2);
    if (d.count == 2) {
        CHECK_INT(d.items[0].line, 4);
        CHECK_CONTAINS(d.items[0].message, "type:pattern");
        CHECK_INT(d.items[1].line, 5);
        CHECK_CONTAINS(d.items[1].message, "race_bottom");
    }
    ft_diags_free(&d);
    ft_suppressions_free(&s);
    unlink(path);
}
