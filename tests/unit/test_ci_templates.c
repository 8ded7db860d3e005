/* Unit test: the CI templates in ci/ are well-formed YAML (libyaml, as GitHub's parser would). */
#include <glob.h>
#include <stdio.h>
#include <yaml.h>

#include "check.h"

void test_ci_templates_parse(void)
{
    /* every template there is, so a new one cannot be forgotten */
    glob_t g;
    CHECK(glob(FTSTRESS_SOURCE_DIR "/ci/*.yml", 0, NULL, &g) == 0);
    CHECK(g.gl_pathc >= 1);
    char **files = g.gl_pathv;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        printf("  parsed %s\n", files[i]);
        FILE *f = fopen(files[i], "rb");
        yaml_parser_t parser;
        yaml_document_t doc;
        CHECK(f != NULL);
        if (!f)
            continue;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_file(&parser, f);
        int ok = yaml_parser_load(&parser, &doc);
        if (!ok)
            fprintf(stderr, "  %s:%zu:%zu: %s\n", files[i], parser.problem_mark.line + 1,
                    parser.problem_mark.column + 1, parser.problem ? parser.problem : "?");
        CHECK(ok);
        if (ok) {
            yaml_node_t *root = yaml_document_get_root_node(&doc);
            CHECK(root && root->type == YAML_MAPPING_NODE);
            yaml_document_delete(&doc);
        }
        yaml_parser_delete(&parser);
        fclose(f);
    }
    globfree(&g);
}
