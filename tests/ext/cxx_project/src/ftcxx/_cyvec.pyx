# Cython in C++ mode: a libcpp vector, so the module cannot build as C.
from libcpp.vector cimport vector


cdef class Bag:
    cdef vector[long] items

    def add(self, long x):
        self.items.push_back(x)

    def __len__(self):
        return self.items.size()
