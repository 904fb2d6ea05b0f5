# tollgate_embed_text(TARGET <target> FILE <path> SYMBOL <name> NAMESPACE <ns>)
#
# Embeds a text file into <target> at build time as `const char <ns>::<name>[]`
# (declare it `extern const char <name>[];` where it is used): the file is
# read into a generated .cpp holding one raw string, which is rewritten only
# when the file changes (configure_file COPYONLY), and the file is a
# configure dependency, so editing it re-runs CMake. Nothing is read from
# disk at run time.
function(tollgate_embed_text)
  cmake_parse_arguments(EMBED "" "TARGET;FILE;SYMBOL;NAMESPACE" "" ${ARGN})
  set(delimiter tgembed)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${EMBED_FILE})
  file(READ ${EMBED_FILE} text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${EMBED_FILE} holds the raw-string delimiter )${delimiter}\"")
  endif()
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/${EMBED_SYMBOL}.cpp)
  file(WRITE ${generated}.new "// Generated from ${EMBED_FILE}; do not edit.\nnamespace ${EMBED_NAMESPACE} {\n"
       "extern const char ${EMBED_SYMBOL}[];\nconst char ${EMBED_SYMBOL}[] = R\"${delimiter}(${text})${delimiter}\";\n"
       "}  // namespace ${EMBED_NAMESPACE}\n")
  configure_file(${generated}.new ${generated} COPYONLY)
  target_sources(${EMBED_TARGET} PRIVATE ${generated})
endfunction()
