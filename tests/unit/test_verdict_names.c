/* Names a maintainer recognises (Cython, C++), binding plumbing, and entry points matched only in their own object. */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "exercise_table.h"
#include "frames.h"

static void check_name(const char *sym, const char *want)
{
    char *got = ft_display_name(sym);
    CHECK_STR(got, want);
    free(got);
}

void test_display_names_of_cython_and_cxx(void)
{
    check_name("__pyx_f_7msgpack_9_cmsgpack_8Unpacker__unpack", "Unpacker._unpack");
    check_name("__pyx_pw_7msgpack_9_cmsgpack_8Unpacker_5unpack", "Unpacker.unpack");
    check_name("__pyx_pf_7msgpack_9_cmsgpack_6Packer_8_pack", "Packer._pack");
    check_name("int unpack_execute<true>(unpack_context*, char const*, unsigned long, unsigned long*)", "unpack_execute");
    /* Cython compiled as C++ (cymem): demangled with its parameters, then mapped back */
    check_name("__pyx_pf_5cymem_5cymem_7Address___init__(__pyx_obj_5cymem_5cymem_Address*, unsigned long, unsigned long)",
               "Address.__init__");
    check_name("__pyx_getprop_5cymem_5cymem_7Address_addr(_object*, void*)", "Address.addr");
    check_name("regex::(anonymous namespace)::Matcher::step(int) const", "Matcher::step");
    check_name("std::vector<int, std::allocator<int> >::push_back(int const&)", "vector::push_back");
    check_name("Foo::operator()(int)", "Foo::operator()");
    check_name("ring_push", "ring_push");
    check_name("_io_BytesIO_write_impl", "_io_BytesIO_write_impl");
}

void test_binding_plumbing_is_never_an_anchor(void)
{
    const char *plumbing[] = {"__Pyx_CyFunction_Vectorcall_FASTCALL_KEYWORDS", "__Pyx_PyObject_Call",
                              "__Pyx_PyObject_FastCallDict",
                              "pybind11::cpp_function::dispatcher(_object*, _object*, _object*)",
                              "pybind11::cpp_function::initialize<F>(F&&)::{lambda(pybind11::detail::function_call&)#1}::operator()"};
    for (size_t i = 0; i < sizeof plumbing / sizeof *plumbing; i++) {
        ft_frame f = {plumbing[i], "/src/m.cpp", 10, "/x/m.so"};
        CHECK(ft_frame_is_plumbing(&f));
    }
    ft_frame own = {"__pyx_f_7msgpack_9_cmsgpack_8Unpacker__unpack", "/src/_cmsgpack.c", 10, "/x/_cmsgpack.so"};
    CHECK(!ft_frame_is_plumbing(&own));
}

void test_entry_points_match_in_their_own_object(void)
{
    json_t *dec = json_pack("[s, s]", "decompress", "/site/isal/isal_zlib.cpython-313td-x86_64-linux-gnu.so");
    json_t *clinic = json_pack("[s, s]", "_io_BytesIO_write", "/prefix/lib/_io.so");
    json_t *pw = json_pack("[s, s]", "__pyx_pw_7msgpack_9_cmsgpack_8Unpacker_5unpack", "/site/msgpack/_cmsgpack.so");
    /* the same bare name in another module's object is not this entry point */
    CHECK(!ft_frame_is_entry("decompress", "igzip_lib.cpython-313td-x86_64-linux-gnu.so", dec));
    CHECK(ft_frame_is_entry("decompress", "isal_zlib.cpython-313td-x86_64-linux-gnu.so", dec));
    CHECK(!ft_frame_is_entry("decompress", NULL, dec));
    CHECK(ft_frame_is_entry("_io_BytesIO_write_impl", "_io.so", clinic));
    CHECK(!ft_frame_is_entry("_io_BytesIO_writelines", "_io.so", clinic));
    CHECK(ft_frame_is_entry("__pyx_pf_7msgpack_9_cmsgpack_8Unpacker_4unpack", "_cmsgpack.so", pw));
    CHECK(!ft_frame_is_entry("__pyx_pf_7msgpack_9_cmsgpack_6Packer_4pack", "_cmsgpack.so", pw));
    /* Cython's wrapper of a special method for explicit calls forwards to what the type's slot calls */
    json_t *next = json_pack("[s, s]", "__pyx_specialmethod___pyx_pw_7msgpack_9_cmsgpack_8Unpacker_23__next__(_object*, _object*)",
                             "/site/msgpack/_cmsgpack.so");
    CHECK(ft_frame_is_entry("__pyx_pw_7msgpack_9_cmsgpack_8Unpacker_23__next__(_object*)", "_cmsgpack.so", next));
    CHECK(!ft_frame_is_entry("__pyx_pw_7msgpack_9_cmsgpack_8Unpacker_21__iter__(_object*)", "_cmsgpack.so", next));
    json_decref(next);
    json_decref(dec);
    json_decref(clinic);
    json_decref(pw);
}
