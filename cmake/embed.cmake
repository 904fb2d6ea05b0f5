# Embeds FILE into TARGET at build time as `extern const char SYMBOL[]` in
# NAMESPACE: a data file of the tree (a schema, Chart.js) becomes part of the
# binary, nothing is read from disk at run time. The file is read when CMake
# configures, and CMake configures again when it changes.
function(tollgate_embed target file namespace symbol)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(READ ${file} text)
  string(FIND "${text}" ")tgembed\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} holds the raw-string delimiter )tgembed\"")
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${symbol}.cpp)
  file(WRITE ${out}.new "// Generated from ${file}; do not edit.\nnamespace ${namespace} {\nextern const char ${symbol}[];\nconst char ${symbol}[] = R\"tgembed(")
  file(APPEND ${out}.new "${text}")
  file(APPEND ${out}.new ")tgembed\";\n}  // namespace ${namespace}\n")
  configure_file(${out}.new ${out} COPYONLY)  # rewritten only when it changed: no needless rebuilds
  target_sources(${target} PRIVATE ${out})
endfunction()
