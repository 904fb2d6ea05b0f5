# cmake -D EXE=PROGRAM -D "ARGS=a b" -D OUT=FILE -P write_output.cmake:
# PROGRAM's standard output into FILE (replaced only when PROGRAM succeeds).
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${EXE} ${args} OUTPUT_FILE ${OUT}.new RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.new)
  message(FATAL_ERROR "${EXE} ${ARGS}: ${rc}")
endif()
file(RENAME ${OUT}.new ${OUT})
