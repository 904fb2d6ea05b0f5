# Installing and packaging, included by the top CMakeLists.txt after the
# binaries are defined:
#   cmake --install build --prefix P   P/bin/{tollgate,tollgate-mock}, the data in
#                                      P/share/tollgate
# The binaries find their data from their own directory (common/data_dir.h),
# so an installed tree works wherever it is copied.

# The data: the source tree's layout (spec/ beside scenarios/, so that a
# bundled scenario's `spec: ../../spec/x.yaml` holds), the mock's fixture
# in fixtures/.
set(TOLLGATE_DATA_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/tollgate)
set(tollgate_data spec:spec scenarios:scenarios fixtures:mock-server/fixtures)

# The build tree: build/share/tollgate/* are links into the source tree, made
# as CMake configures, where build/bin/ looks for them.
cmake_path(ABSOLUTE_PATH TOLLGATE_DATA_FROM_BIN BASE_DIRECTORY ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}
           NORMALIZE OUTPUT_VARIABLE tollgate_build_data)
file(MAKE_DIRECTORY ${tollgate_build_data})
foreach(entry ${tollgate_data})
  string(REPLACE ":" ";" entry ${entry})
  list(GET entry 0 name)
  list(GET entry 1 source)
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${source} ${tollgate_build_data}/${name} SYMBOLIC)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/${source}/ DESTINATION ${TOLLGATE_DATA_INSTALL_DIR}/${name})
endforeach()

install(TARGETS tollgate tollgate-mock RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

