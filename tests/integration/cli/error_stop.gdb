# A script error stops the script: the last two lines never run.
break page_fault_handler
p nosuch
run
echo not reached\n
